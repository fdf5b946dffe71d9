// Training against PyTorch: the notebook's "learning a kernel" cell every way it is written
// (learn_kernel.json), and parameters moving both ways between PyTorch and wasmconv (lenet.json).
import { describe, expect, it } from "vitest";
import { d2l, nn, noGrad, optim, tensor, zeros, type Tensor } from "../../src/index.js";
import { data, expectClose, expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";

const learn = loadFixture("learn_kernel.json");
const lenet = loadFixture("lenet.json").cases as any[];

function makeOptimizer(spec: any, params: Tensor[]) {
  if (spec.type === "SGD") {
    return new optim.SGD(params, { lr: spec.lr, momentum: spec.momentum, dampening: spec.dampening, weightDecay: spec.weightDecay, nesterov: spec.nesterov });
  }
  if (spec.type === "Adam") return new optim.Adam(params, { lr: spec.lr, betas: spec.betas, eps: spec.eps, weightDecay: spec.weightDecay });
  return null;
}

describe("learning the [1, -1] kernel matches PyTorch step by step", () => {
  const X = toTensor(learn.X), Y = toTensor(learn.Y);
  for (const c of learn.cases as any[]) {
    const moduleCase = c.weightInit.shape.length === 2;
    const lazyVariants = moduleCase ? ["module"] : ["Conv2d", "LazyConv2d"];
    it.each(lazyVariants)(`${c.name} (%s)`, (kind) => {
      let params: Tensor[];
      let forward: () => Tensor;
      let weight: () => Tensor;
      let bias: Tensor | null = null;
      if (kind === "module") {
        // The notebook's own Conv2D: weight and bias as parameters around corr2d.
        const w = toTensor(c.weightInit, true);
        bias = toTensor(c.biasInit, true);
        const x2 = X.reshape(6, 8), y2 = Y.reshape(6, 7);
        forward = () => d2l.corr2d(x2, w).add(bias!).sub(y2).pow(2);
        params = [w, bias];
        weight = () => w;
      } else {
        const conv = kind === "Conv2d" ? new nn.Conv2d(1, 1, [1, 2], { bias: false }) : new nn.LazyConv2d(1, [1, 2], { bias: false });
        params = conv.parameters(); // taken before the first forward: a lazy weight is materialised in place
        if (kind === "LazyConv2d") noGrad(() => conv.forward(X)); // infers inChannels, draws a default init
        noGrad(() => conv.weight.copy_(toTensor(c.weightInit)));
        expect(params[0]).toBe(conv.weight);
        forward = () => conv.forward(X).sub(Y).pow(2);
        weight = () => conv.weight;
      }
      const opt = makeOptimizer(c.optimizer, params);
      const losses: number[] = [];
      for (let i = 0; i < c.steps; i++) {
        const l = forward();
        if (opt) opt.zeroGrad();
        else for (const p of params) p.grad = null;
        l.sum().backward();
        if (opt) opt.step();
        else noGrad(() => { for (const p of params) p.sub_(p.grad!.mul(c.optimizer.lr)); });
        losses.push(l.sum().item());
      }
      const rtol = c.diverges ? 1e-3 : 2e-4;
      expectClose(losses, c.losses, "losses", rtol, 1e-5);
      expectClose(weight().toFloat32Array(), data(c.finalWeight), "final weight", rtol, 1e-5);
      if (bias) expectClose(bias.toFloat32Array(), data(c.finalBias), "final bias", rtol, 1e-5);
      if (!c.diverges && c.optimizer.lr === 0.03) {
        expect(losses[9]).toBeLessThan(losses[0] / 100); // falls steadily to near zero
      }
    });
  }
});

function buildLenet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Sigmoid(), new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Linear(400, 32), new nn.ReLU(), new nn.Linear(32, 10),
  );
}

describe("state dicts move between PyTorch and wasmconv", () => {
  it("LeNet: PyTorch's parameters give PyTorch's logits, loss, gradients and post-SGD loss", () => {
    const c = lenet.find((x) => x.name.startsWith("lenet"));
    const model = buildLenet();
    expect(Object.keys(model.stateDict())).toEqual(Object.keys(c.stateDict));
    model.loadStateDict(c.stateDict);
    const x = toTensor(c.x);
    const targets = Array.from(data(c.targets));
    const logits = model.forward(x);
    expectTensor(logits, c.y, "logits", 1e-4, 1e-5);
    const loss = new nn.CrossEntropyLoss().forward(logits, targets);
    expect(loss.item()).toBeCloseTo(c.loss, 5);
    loss.backward();
    for (const [k, p] of Object.entries(Object.fromEntries(model.namedParameters()))) {
      expectTensor((p as Tensor).grad!, c.grads[k], `grad ${k}`, 1e-3, 1e-5);
    }
    const opt = new optim.SGD(model.parameters(), { lr: c.optimizer.lr, momentum: c.optimizer.momentum });
    opt.step();
    const after = new nn.CrossEntropyLoss().forward(model.forward(x), targets).item();
    expect(after).toBeCloseTo(c.lossAfterStep, 4);
    const sd = model.stateDict();
    for (const k of Object.keys(sd)) expectClose(sd[k].data, data(c.stateDictAfterStep[k]), `after step ${k}`, 1e-3, 1e-5);
    // and back: our state dict is JSON and loads into a fresh model with identical outputs
    const copy = buildLenet();
    copy.loadStateDict(JSON.parse(JSON.stringify(sd)));
    expectClose(copy.forward(x).toFloat32Array(), model.forward(x).toFloat32Array(), "reloaded logits", 0, 0);
  });

  it("ConvTranspose2d + MSELoss: outputs, loss and gradients", () => {
    const c = lenet.find((x) => x.name === "conv_transpose_mse");
    const model = new nn.Sequential(new nn.ConvTranspose2d(4, 2, 4, { stride: 2, padding: 1 }));
    model.loadStateDict(c.stateDict);
    const y = model.forward(toTensor(c.x));
    expectTensor(y, c.y, "y", 1e-4, 1e-5);
    const loss = new nn.MSELoss().forward(y, toTensor(c.target));
    expect(loss.item()).toBeCloseTo(c.loss, 5);
    loss.backward();
    const params = Object.fromEntries(model.namedParameters());
    for (const k of Object.keys(c.grads)) expectTensor(params[k].grad!, c.grads[k], `grad ${k}`, 1e-4, 1e-6);
  });

  it("rejects a state dict with a wrong shape or missing keys, naming the key", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 2, 3));
    expect(() => m.loadStateDict({ "0.weight": { shape: [2, 1, 2, 2], data: Array(8).fill(0) }, "0.bias": { shape: [2], data: [0, 0] } }))
      .toThrow("loadStateDict: 0.weight has shape [2, 1, 2, 2] in the state dict but [2, 1, 3, 3] in the model");
    expect(() => m.loadStateDict({ "0.weight": { shape: [2, 1, 3, 3], data: Array(18).fill(0) } })).toThrow(/missing keys \[0.bias\]/);
    expect(zeros([1]).numel).toBe(1);
    expect(tensor([1]).item()).toBe(1);
  });
});
