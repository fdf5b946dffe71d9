// Bad input: every call PyTorch rejects (test/fixtures/errors.json) is rejected here with a readable Error
// naming the op and the argument, never a WebAssembly trap, and the library keeps working afterwards.
import { describe, expect, it } from "vitest";
import { F, nn, tensor, zeros, d2l, ShapeError } from "../../src/index.js";
import { loadFixture } from "../helpers/fixtures.js";

const cases = loadFixture("errors.json").cases as any[];

const opName: Record<string, string> = {
  conv2d: "conv2d", conv_transpose2d: "conv_transpose2d", max_pool2d: "max_pool2d", avg_pool2d: "avg_pool2d", "nn.Conv2d": "Conv2d",
};

function call(c: any): unknown {
  const o = c.opts ?? {};
  switch (c.op) {
    case "conv2d":
      return F.conv2d(zeros(c.xShape), zeros(c.weightShape), c.biasShape ? zeros(c.biasShape) : null, o);
    case "conv_transpose2d":
      return F.convTranspose2d(zeros(c.xShape), zeros(c.weightShape), c.biasShape ? zeros(c.biasShape) : null, o);
    case "max_pool2d":
      return F.maxPool2d(zeros(c.xShape), o.kernelSize, { ...o, stride: o.stride ?? undefined });
    case "avg_pool2d":
      return F.avgPool2d(zeros(c.xShape), o.kernelSize, { ...o, stride: o.stride ?? undefined });
    case "nn.Conv2d":
      return new nn.Conv2d(c.args.inChannels, c.args.outChannels, c.args.kernelSize, { groups: c.args.groups });
  }
  throw new Error(`unknown op ${c.op}`);
}

describe("rejected inputs (the cases PyTorch rejects)", () => {
  it.each(cases.map((c) => [c.name, c]))("%s", (_n, c) => {
    let err: unknown = null;
    try { call(c); } catch (e) { err = e; }
    expect(err, `${c.name} must throw like torch: ${c.message}`).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(WebAssembly.RuntimeError);
    expect((err as Error).message.startsWith(`${opName[c.op]}:`), (err as Error).message).toBe(true);
    // The library keeps working: a valid call right after gives the d2l numbers.
    expect(d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]])).toArray()).toEqual([[19, 25], [37, 43]]);
  });

  it("names the argument, what was expected and what was given", () => {
    expect(() => F.conv2d(zeros([1, 3, 5, 5]), zeros([2, 2, 3, 3]))).toThrow(
      "conv2d: input has 3 channels but weight expects 2 (weight shape [2, 2, 3, 3], groups 1)");
    expect(() => F.conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { stride: 0 })).toThrow(
      "conv2d: stride must be an integer >= 1, but got 0");
    expect(() => F.maxPool2d(zeros([1, 1, 6, 6]), 2, { padding: 2 })).toThrow(/max_pool2d: padding should be at most half/);
    expect(() => F.conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { padding: "same", stride: 2 })).toThrow(ShapeError);
  });

  it("rejects non-tensors, ragged data and impossible reshapes", () => {
    expect(() => F.conv2d([1, 2] as any, zeros([1, 1, 1, 1]))).toThrow(/conv2d: input must be a Tensor/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: nested arrays are ragged/);
    expect(() => zeros([2, 3]).reshape(4, 2)).toThrow("reshape: shape [4, 2] is invalid for input of size 6 (shape [2, 3])");
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(/add: the shapes \[2, 3\] and \[4\] cannot be broadcast/);
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow(/matmul: shapes \[2, 3\] and \[2, 3\] cannot be multiplied/);
    expect(() => zeros([2, 3]).item()).toThrow(/item: only one-element tensors/);
  });
});
