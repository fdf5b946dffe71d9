// Runs in headless Chromium only (the "chromium" project): which module the loader picks in a real browser.
// Chromium validates relaxed SIMD, so the loader takes the relaxed build (measured faster: README, "Runs
// everywhere"); test/loader.test.ts checks that Node 20 (no relaxed SIMD by default) takes the simd build.
import { describe, expect, it } from "vitest";
import { F, d2l, kernelVariant, ready, tensor, wasmBuild } from "../../src/index.js";
import { buildBytes } from "../../src/wasm.js";

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
  it("validates the relaxed SIMD build and uses the f32x4 kernels, on the main thread, with no server headers", async () => {
    await ready();
    expect(wasmBuild()).toBe("relaxed");
    expect(kernelVariant()).toBe("f32x4");
    expect(globalThis.crossOriginIsolated ?? false).toBe(false); // no COOP/COEP needed
    const y = d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]]));
    expect(y.toArray()).toEqual([[19, 25], [37, 43]]);
  });

  it("Chromium validates relaxed SIMD, both the probe and the shipped relaxed build", () => {
    expect(WebAssembly.validate(relaxedSimdProbe())).toBe(true);
    expect(WebAssembly.validate(buildBytes("relaxed"))).toBe(true);
  });

  it("the relaxed build's conv2d (GEMM path, relaxed_madd) matches a direct float64 sum within 1e-4", () => {
    expect(wasmBuild()).toBe("relaxed");
    // 1 x 16 x 12 x 12 input, 24 x 16 x 3 x 3 weights, padding 1: big enough for the GEMM microkernel.
    const [C, H, W, O, K] = [16, 12, 12, 24, 3];
    const xs = Array.from({ length: C * H * W }, (_, i) => Math.sin(i * 0.37));
    const ws = Array.from({ length: O * C * K * K }, (_, i) => Math.cos(i * 0.11) * 0.2);
    const bs = Array.from({ length: O }, (_, i) => i * 0.01 - 0.1);
    const x = tensor(xs).reshape([1, C, H, W]);
    const w = tensor(ws).reshape([O, C, K, K]);
    const y = F.conv2d(x, w, tensor(bs), { padding: 1 });
    expect(y.shape).toEqual([1, O, H, W]);
    const got = y.toArray() as number[][][][];
    let worst = 0;
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let ref = bs[o];
          for (let c = 0; c < C; c++) {
            for (let u = 0; u < K; u++) {
              for (let v = 0; v < K; v++) {
                const yi = i + u - 1, xj = j + v - 1;
                if (yi < 0 || yi >= H || xj < 0 || xj >= W) continue;
                ref += Math.fround(xs[(c * H + yi) * W + xj]) * Math.fround(ws[((o * C + c) * K + u) * K + v]);
              }
            }
          }
          worst = Math.max(worst, Math.abs(got[0][o][i][j] - ref));
        }
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });
});
