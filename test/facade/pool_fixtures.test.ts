// F.maxPool2d (values, argmax indices, gradients) and F.avgPool2d against real PyTorch, on both twins.
import { afterAll, beforeAll, describe, it } from "vitest";
import { F, setKernelVariant } from "../../src/index.js";
import { expectTensor, loadFixture, toTensor } from "../helpers/fixtures.js";
import { VARIANTS } from "../helpers/wasm_buffers.js";

const maxCases = loadFixture("max_pool2d.json").cases as any[];
const avgCases = loadFixture("avg_pool2d.json").cases as any[];

describe.each(VARIANTS)("pool fixtures (%s kernels)", (variant) => {
  beforeAll(() => setKernelVariant(variant));
  afterAll(() => setKernelVariant(VARIANTS[0]));

  it.each(maxCases.map((c) => [c.name, c]))("max_pool2d %s", (_n, c) => {
    const x = toTensor(c.x, true);
    const { kernelSize, stride, strideGiven, padding, dilation, ceilMode } = c.opts;
    const [y, idx] = F.maxPool2d(x, kernelSize, {
      stride: strideGiven === false ? undefined : stride, padding, dilation, ceilMode, returnIndices: true,
    });
    expectTensor(y, c.y, "y", 0, 0);
    expectTensor(idx, c.indices, "indices", 0, 0);
    y.backward(toTensor(c.gy));
    expectTensor(x.grad!, c.gx, "gx", 1e-5, 1e-6);
  });

  it.each(avgCases.map((c) => [c.name, c]))("avg_pool2d %s", (_n, c) => {
    const x = toTensor(c.x, true);
    const { kernelSize, stride, strideGiven, padding, ceilMode, countIncludePad, divisorOverride } = c.opts;
    const y = F.avgPool2d(x, kernelSize, {
      stride: strideGiven === false ? undefined : stride, padding, ceilMode, countIncludePad, divisorOverride,
    });
    expectTensor(y, c.y, "y", 1e-5, 1e-6);
    y.backward(toTensor(c.gy));
    expectTensor(x.grad!, c.gx, "gx", 1e-5, 1e-6);
  });
});
