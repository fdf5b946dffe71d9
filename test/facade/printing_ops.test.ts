// Tensor printing and the elementwise/reduction/loss ops against PyTorch (printing.json, ops.json).
import { describe, expect, it } from "vitest";
import { F, tensor, type Tensor } from "../../src/index.js";
import { data, expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";

const printing = loadFixture("printing.json").cases as any[];
const ops = loadFixture("ops.json").cases as any[];

describe("toString prints like PyTorch", () => {
  it.each(printing.map((c) => [c.name, c]))("%s", (_n, c) => {
    const t = tensor(data(c), { shape: c.shape });
    expect(t.toString()).toBe(c.str);
  });
});

function run(c: any, inputs: Record<string, Tensor>): Tensor {
  const { a, b } = inputs;
  const args = c.args ?? {};
  switch (c.op) {
    case "add": case "sub": case "mul": case "div":
      return (a as any)[c.op](b ?? args.other);
    case "pow": return a.pow(args.exponent);
    case "exp": case "log": case "abs": case "neg": case "relu": case "sigmoid": case "tanh":
      return (a as any)[c.op]();
    case "matmul": return a.matmul(b);
    case "sum": return args.dim == null ? a.sum() : a.sum(args.dim, args.keepdim);
    case "mean": return args.dim == null ? a.mean() : a.mean(args.dim, args.keepdim);
    case "max": return a.max();
    case "transpose": return a.transpose(args.dim0, args.dim1);
    case "reshape": return a.reshape(args.shape);
    case "linear": return F.linear(inputs.x, inputs.weight, inputs.bias ?? null);
    case "mse_loss": return F.mseLoss(inputs.input, inputs.target, { reduction: args.reduction });
    case "cross_entropy": return F.crossEntropy(inputs.input, Array.from(inputs.target.toFloat32Array()), { reduction: args.reduction });
  }
  throw new Error(`unknown op ${c.op}`);
}

describe("elementwise, reduction, matmul and loss ops match PyTorch, with gradients", () => {
  it.each(ops.map((c) => [c.name, c]))("%s", (_n, c) => {
    const inputs: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(c.inputs)) inputs[k] = toTensor(v as any, k !== "target" || c.op !== "cross_entropy");
    const out = run(c, inputs);
    expectTensor(out, c.out, "out", 1e-5, 1e-5);
    out.backward(toTensor(c.gout));
    for (const [k, g] of Object.entries(c.grads ?? {})) expectTensor(inputs[k].grad!, g as any, `grad ${k}`, 1e-4, 1e-5);
  });
});
