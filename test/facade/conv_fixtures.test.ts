// F.conv2d and F.convTranspose2d against real PyTorch (test/fixtures/*.json): outputs and the gradients of
// x, weight and bias through autograd, on both kernel twins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { F, setKernelVariant } from "../../src/index.js";
import { expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";
import { preferDirect } from "../../src/kernels/conv.js";
import { planConv2d, planConvTranspose2d } from "../../src/shape.js";
import { VARIANTS } from "../helpers/wasm_buffers.js";

const conv2d = loadFixture("conv2d.json").cases as any[];
const convT = loadFixture("conv_transpose2d.json").cases as any[];

describe.each(VARIANTS)("conv fixtures (%s kernels)", (variant) => {
  beforeAll(() => setKernelVariant(variant));
  afterAll(() => setKernelVariant(VARIANTS[0]));

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

// The ops run tiny convolutions on the direct loops even with the f32x4 twins selected (preferDirect): the
// fixtures above must reach both routes, on every pass, or one of them would go untested through the ops.
describe("conv fixtures reach both the direct loops and the f32x4 kernels", () => {
  it("conv2d and conv_transpose2d", () => {
    const routes = (cases: any[], plan: typeof planConv2d | typeof planConvTranspose2d, transposed: boolean) =>
      cases.map((c) => preferDirect(plan("test", c.x.shape, c.weight.shape, null, c.opts).geom, transposed));
    for (const r of [routes(conv2d, planConv2d, false), routes(convT, planConvTranspose2d, true)]) {
      expect(r.filter((d) => d).length).toBeGreaterThan(3);
      expect(r.filter((d) => !d).length).toBeGreaterThan(3);
    }
  });
});
