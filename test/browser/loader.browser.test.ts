// Runs in headless Chromium only (the "chromium" project): which module the loader picks in a real browser.
import { describe, expect, it } from "vitest";
import { d2l, kernelVariant, ready, tensor } from "../../src/index.js";

/** A one-function module whose body uses f32x4.relaxed_madd (opcode 0xfd 0x105). */
function relaxedSimdProbe(): Uint8Array {
  const v128Zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
}

describe("the loader in Chromium", () => {
  it("validates the SIMD build and uses the f32x4 kernels, on the main thread, with no server headers", async () => {
    await ready();
    expect(kernelVariant()).toBe("f32x4");
    expect(globalThis.crossOriginIsolated ?? false).toBe(false); // no COOP/COEP needed
    const y = d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]]));
    expect(y.toArray()).toEqual([[19, 25], [37, 43]]);
  });

  it("Chromium validates relaxed SIMD (the package does not ship a relaxed build yet: see README)", () => {
    expect(WebAssembly.validate(relaxedSimdProbe())).toBe(true);
  });
});
