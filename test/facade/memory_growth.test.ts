// Growing linear memory detaches old ArrayBuffer views: tensors must stay valid across growth.
import { expect, it } from "vitest";
import { memoryStats, tensor, zeros } from "../../src/index.js";

it("tensor data stays valid after linear memory grows, and a disposed tensor refuses use", () => {
  const a = tensor([[1, 2], [3, 4]]);
  const before = memoryStats().wasmBytes;
  const big = zeros([(64 << 20) >> 2]); // 64 MiB forces growth
  expect(memoryStats().wasmBytes).toBeGreaterThan(before);
  expect(a.add(1).toArray()).toEqual([[2, 3], [4, 5]]);
  big.dispose();
  expect(() => big.toArray()).toThrow(/disposed/);
  expect(a.sum().item()).toBe(10);
});
