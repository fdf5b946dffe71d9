// nn modules: padding modes against PyTorch, default initialisation, lazy modules, output_size for
// ConvTranspose2d, and the fit() training helper.
import { describe, expect, it } from "vitest";
import { fit, manualSeed, nn, noGrad, optim, rand, tensor, zeros, type Tensor } from "../../src/index.js";
import { expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";

const paddingModes = loadFixture("padding_modes.json").cases as any[];

describe("nn.Conv2d paddingMode matches PyTorch", () => {
  it.each(paddingModes.map((c) => [c.name, c]))("%s", (_n, c) => {
    const o = c.opts;
    const conv = new nn.Conv2d(o.inChannels, o.outChannels, o.kernelSize, {
      padding: o.padding, paddingMode: o.paddingMode, stride: o.stride, dilation: o.dilation, groups: o.groups,
    });
    conv.loadStateDict({ weight: c.weight, bias: c.bias });
    const x = toTensor(c.x, true);
    const y = conv.forward(x);
    expectTensor(y, c.y, "y", 1e-4, 1e-4);
    y.backward(toTensor(c.gy));
    expectTensor(x.grad!, c.gx, "gx", 1e-4, 1e-4);
    expectTensor(conv.weight.grad!, c.gweight, "gweight", 1e-4, 2e-4);
    expectTensor(conv.bias!.grad!, c.gbias, "gbias", 1e-4, 2e-4);
  });
});

function within(t: Tensor, bound: number): { ok: boolean; spread: number } {
  const d = t.toFloat32Array();
  const max = Math.max(...Array.from(d, Math.abs));
  return { ok: max <= bound, spread: max / bound };
}

describe("default initialisation is PyTorch's U(-1/sqrt(fanIn), 1/sqrt(fanIn))", () => {
  it("Conv2d, ConvTranspose2d and Linear use the right fanIn", () => {
    manualSeed(11);
    const conv = new nn.Conv2d(6, 16, 5, { groups: 2 }); // fanIn = 3 * 25
    const tconv = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 }); // weight (4, 3, 3, 3): fanIn = 3 * 9
    const lin = new nn.Linear(400, 120);
    for (const [name, t, fanIn] of [
      ["conv.weight", conv.weight, 75], ["conv.bias", conv.bias!, 75], ["tconv.weight", tconv.weight, 27],
      ["tconv.bias", tconv.bias!, 27], ["linear.weight", lin.weight, 400], ["linear.bias", lin.bias!, 400],
    ] as [string, Tensor, number][]) {
      const { ok, spread } = within(t, 1 / Math.sqrt(fanIn));
      expect(ok, `${name} exceeds its bound`).toBe(true);
      if (t.numel > 100) expect(spread, `${name} should fill its range`).toBeGreaterThan(0.95);
    }
    expect(tconv.weight.shape).toEqual([4, 3, 3, 3]);
    const w = lin.weight.toFloat32Array();
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(variance).toBeCloseTo(1 / (3 * 400), 4); // variance of U(-b, b) is b^2/3
  });

  it("manualSeed makes initialisation reproducible", () => {
    manualSeed(5);
    const a = new nn.Conv2d(1, 2, 3).weight.toArray();
    manualSeed(5);
    expect(new nn.Conv2d(1, 2, 3).weight.toArray()).toEqual(a);
    manualSeed(9);
    const r = rand([3]).toArray();
    manualSeed(9);
    expect(rand([3]).toArray()).toEqual(r);
    expect(rand([3]).toArray()).not.toEqual(r);
  });
});

describe("lazy modules and ConvTranspose2d's output size", () => {
  it("LazyConv2d takes inChannels from a 4-D or 3-D input; LazyLinear from the last dimension", () => {
    const a = new nn.LazyConv2d(4, 3);
    expect(a.parameters()[0].numel).toBe(0);
    a.forward(zeros([2, 5, 6, 6]));
    expect(a.weight.shape).toEqual([4, 5, 3, 3]);
    const b = new nn.LazyConv2d(2, 1);
    b.forward(zeros([3, 4, 4]));
    expect(b.weight.shape).toEqual([2, 3, 1, 1]);
    const l = new nn.LazyLinear(7);
    expect(l.forward(zeros([2, 9])).shape).toEqual([2, 7]);
    expect(l.weight.shape).toEqual([7, 9]);
  });

  it("forward(x, outputSize) picks the output padding, and rejects sizes out of range", () => {
    const t = new nn.ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1 });
    const x = zeros([1, 2, 4, 4]);
    expect(t.forward(x).shape).toEqual([1, 1, 7, 7]);
    expect(t.forward(x, [8, 7]).shape).toEqual([1, 1, 8, 7]);
    expect(() => t.forward(x, [9, 9])).toThrow(/ConvTranspose2d: requested output size \[9, 9\] is not in the valid range/);
  });

  it("train() and eval() propagate to children; zeroGrad sets grads to null", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 1, 1), new nn.Sequential(new nn.ReLU()));
    m.eval();
    expect((m.at(1) as nn.Sequential).at(0).training).toBe(false);
    m.train();
    expect((m.at(1) as nn.Sequential).at(0).training).toBe(true);
    m.forward(rand([1, 1, 2, 2])).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe("fit()", () => {
  it("trains a model on batches, reporting every step and epoch", async () => {
    manualSeed(2);
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2 * 4 * 4, 2));
    const x = rand([8, 1, 4, 4]);
    const y = tensor([0, 1, 0, 1, 0, 1, 0, 1]);
    noGrad(() => x.add_(y.reshape(8, 1, 1, 1).mul(2))); // make the classes separable
    const steps: number[] = [];
    const epochs: number[] = [];
    const { losses } = await fit({
      model, lossFn: new nn.CrossEntropyLoss(), optimizer: new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }),
      data: [[x, y]], epochs: 30, progress: false,
      onStep: (s) => steps.push(s.globalStep), onEpoch: (e) => epochs.push(e.meanLoss),
    });
    expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(epochs.length).toBe(30);
    expect(losses[29]).toBeLessThan(losses[0] * 0.5);
    expect(x.isDisposed).toBe(false);
  });
});
