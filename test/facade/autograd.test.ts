// Autograd behaviour that must mirror PyTorch: accumulation, zeroGrad to null, noGrad, the errors for
// misuse, and the adjoint identity between conv2d and conv_transpose2d.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AutogradError, F, nn, noGrad, ones, optim, randn, tensor, zeros, manualSeed } from "../../src/index.js";

describe("autograd", () => {
  it(".grad accumulates across backward calls and zeroGrad sets it to null", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    w.mul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual([2, 4, 6]);
    w.mul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual([4, 8, 12]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it("a tensor used twice gets the sum of both paths", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).add(x.mul(3)).sum(); // d/dx = 2x + 3
    y.backward();
    expect(x.grad!.toArray()).toEqual([[5, 7], [9, 11]]);
  });

  it("noGrad records nothing and returns its result", () => {
    const w = ones([2], { requiresGrad: true });
    const y = noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.sum().backward()).toThrow(AutogradError);
  });

  it("backward on a non-scalar without a gradient is a clear error", () => {
    const x = ones([2, 3], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward: grad can be implicitly created only for one-element outputs, but this tensor has shape \[2, 3\]/);
    x.mul(2).backward(ones([2, 3]));
    expect(x.grad!.toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
  });

  it("a second backward through a freed graph is a clear error; retainGraph allows it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/second time/);
    x.grad = null;
    const z = x.mul(x).sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
  });

  it("in-place updates of a leaf that requires grad are allowed only inside noGrad", () => {
    const w = ones([2], { requiresGrad: true });
    expect(() => w.sub_(1)).toThrow(/sub_: a leaf tensor that requires grad cannot be modified in place/);
    noGrad(() => w.sub_(tensor([0.5, 0.25])));
    expect(w.toArray()).toEqual([0.5, 0.75]);
  });

  it("a loss between mismatched shapes is rejected before anything runs", () => {
    expect(() => F.mseLoss(zeros([2, 3]), zeros([3, 2]))).toThrow("mse_loss: input shape [2, 3] and target shape [3, 2] must be the same");
    expect(() => F.crossEntropy(zeros([2, 3]), [0, 3])).toThrow(/cross_entropy: target 1 is 3, but class indices must be integers in \[0, 2\]/);
  });

  it("the adjoint identity <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> holds on random shapes", () => {
    manualSeed(7);
    fc.assert(fc.property(
      fc.record({
        n: fc.integer({ min: 1, max: 2 }), g: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 3, max: 11 }), w: fc.integer({ min: 3, max: 11 }), k: fc.integer({ min: 1, max: 3 }),
        s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }), d: fc.integer({ min: 1, max: 2 }),
      }),
      ({ n, g, cg, og, h, w, k, s, p, d }) => {
        const eff = d * (k - 1) + 1;
        fc.pre(h + 2 * p >= eff && w + 2 * p >= eff);
        const x = randn([n, g * cg, h, w]);
        const wt = randn([g * og, cg, k, k]);
        const y = F.conv2d(x, wt, null, { stride: s, padding: p, dilation: d, groups: g });
        const yr = randn([...y.shape] as number[]);
        // the transposed conv must give back x's size: choose output padding so that it does
        const oh = (y.shape[2] - 1) * s - 2 * p + d * (k - 1) + 1, ow = (y.shape[3] - 1) * s - 2 * p + d * (k - 1) + 1;
        const xt = F.convTranspose2d(yr, wt, null, { stride: s, padding: p, dilation: d, groups: g, outputPadding: [h - oh, w - ow] });
        fc.pre(h - oh < Math.max(s, d) && w - ow < Math.max(s, d));
        const dot = (a: Float32Array, b: Float32Array) => a.reduce((acc, v, i) => acc + v * b[i], 0);
        const lhs = dot(y.toFloat32Array(), yr.toFloat32Array());
        const rhs = dot(x.toFloat32Array(), xt.toFloat32Array());
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * (1 + Math.abs(lhs)));
      },
    ), { numRuns: 60 });
  });

  it("parameters of modules are found, including a user subclass like the notebook's Conv2D", () => {
    class Conv2D extends nn.Module {
      weight = randn([1, 2], { requiresGrad: true });
      bias = zeros([1], { requiresGrad: true });
    }
    expect(new Conv2D().parameters().length).toBe(2);
    const seq = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.LazyLinear(4));
    expect(seq.namedParameters().map(([k]) => k)).toEqual(["0.weight", "0.bias", "3.weight", "3.bias"]);
  });
});
