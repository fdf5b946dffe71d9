// F.conv2d and F.convTranspose2d against real PyTorch (test/fixtures/*.json): outputs and the gradients of
// x, weight and bias through autograd, on both kernel twins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { F, setKernelVariant } from "../../src/index.js";
import { expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";

const conv2d = loadFixture("conv2d.json").cases as any[];
const convT = loadFixture("conv_transpose2d.json").cases as any[];

describe.each(["f32x4", "scalar"] as const)("conv fixtures (%s kernels)", (variant) => {
  beforeAll(() => setKernelVariant(variant));
  afterAll(() => setKernelVariant("f32x4"));

  it.each(conv2d.map((c) => [c.name, c]))("conv2d %s", (_n, c) => {
    const x = toTensor(c.x, true), w = toTensor(c.weight, true);
    const b = c.bias ? toTensor(c.bias, true) : null;
    const { stride, padding, dilation, groups } = c.opts;
    const y = F.conv2d(x, w, b, { stride, padding, dilation, groups });
    expectTensor(y, c.y, "y", 1e-4, 1e-4);
    y.backward(toTensor(c.gy));
    expectTensor(x.grad!, c.gx, "gx", 1e-4, 1e-4);
    expectTensor(w.grad!, c.gweight, "gweight", 1e-4, 2e-4);
    if (b) expectTensor(b.grad!, c.gbias, "gbias", 1e-4, 2e-4);
  });

  it.each(convT.map((c) => [c.name, c]))("conv_transpose2d %s", (_n, c) => {
    const x = toTensor(c.x, true), w = toTensor(c.weight, true);
    const b = c.bias ? toTensor(c.bias, true) : null;
    const { stride, padding, outputPadding, dilation, groups } = c.opts;
    const y = F.convTranspose2d(x, w, b, { stride, padding, outputPadding, dilation, groups });
    expectTensor(y, c.y, "y", 1e-4, 1e-4);
    y.backward(toTensor(c.gy));
    expectTensor(x.grad!, c.gx, "gx", 1e-4, 1e-4);
    expectTensor(w.grad!, c.gweight, "gweight", 1e-4, 2e-4);
    if (b) expectTensor(b.grad!, c.gbias, "gbias", 1e-4, 2e-4);
  });

  it("has the fixture sets it claims", () => {
    expect(conv2d.length).toBeGreaterThan(50);
    expect(convT.length).toBeGreaterThan(30);
  });
});
