// Shared by the convolution path tests (test/kernels/conv_fast_paths.test.ts, conv_direct.test.ts): buffers in
// wasm memory with a guard of sentinels after each (a kernel writing past its output fails the read), the
// geometry builder, and the check of a conv2d's forward, input gradient and weight gradient against the f64
// references.
import { expect } from "vitest";
import { heapF32, setKernelVariant } from "../../src/wasm.js";
import { conv2dBwdFilter, conv2dBwdInput, conv2dFwd, type ConvGeometry } from "../../src/kernels/conv.js";
import { getF32, zerosPtr } from "./wasm_buffers.js";
import { convOutSize, mismatch, randArray, refConv2dBwdFilter, refConv2dBwdInput, refConv2dFwd, rng } from "../reference/conv.js";

const GUARD = 4;
const SENTINEL = 12345.5;

/** data copied into wasm memory `off` floats into a fresh zeroed block, followed by the guard. */
export function put(data: ArrayLike<number>, off = 0): number {
  const ptr = zerosPtr(data.length + off + GUARD) + off * 4;
  heapF32().set(data, ptr >> 2);
  heapF32().fill(SENTINEL, (ptr >> 2) + data.length, (ptr >> 2) + data.length + GUARD);
  return ptr;
}
/** n floats at ptr, after checking that the guard behind them is intact. */
export function read(ptr: number, n: number): Float32Array {
  if (!getF32(ptr + n * 4, GUARD).every((v) => v === SENTINEL)) throw new Error("kernel wrote past the end of its output");
  return getF32(ptr, n);
}
export const plus = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v + b[i]);

export type Sizes = Omit<ConvGeometry, "OH" | "OW">;
const base: Sizes = { N: 1, C: 16, H: 8, W: 8, O: 16, KH: 3, KW: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, G: 1 };
export function conv(s: Partial<Sizes>): ConvGeometry {
  const g = { ...base, ...s };
  return { ...g, OH: convOutSize(g.H, g.KH, g.sh, g.ph, g.dh), OW: convOutSize(g.W, g.KW, g.sw, g.pw, g.dw) };
}

/** conv2d forward (with bias, onto a NaN-filled y) and input gradient (onto random values) vs the references. */
export function checkConv2d(g: ConvGeometry, seed: number, withGradW = false): void {
  const r = rng(seed);
  const nx = g.N * g.C * g.H * g.W, nw = g.O * (g.C / g.G) * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
  const x = randArray(nx, r), w = randArray(nw, r), b = randArray(g.O, r), gy = randArray(ny, r), gx0 = randArray(nx, r);
  setKernelVariant("f32x4");
  const px = put(x, 1), pw = put(w, 2), pb = put(b, 3), pgy = put(gy, 1);
  const py = put(new Float32Array(ny).fill(NaN), 2), pgx = put(gx0, 3);
  conv2dFwd(py, px, pw, pb, g);
  conv2dBwdInput(pgx, pgy, pw, g);
  const where = JSON.stringify(g);
  expect(mismatch(read(py, ny), refConv2dFwd(x, w, b, g)), `y ${where}`).toBeNull();
  expect(mismatch(read(pgx, nx), plus(gx0, refConv2dBwdInput(gy, w, g))), `gx ${where}`).toBeNull();
  if (withGradW) {
    const pgw = put(new Float32Array(nw));
    conv2dBwdFilter(pgw, pgy, px, g);
    expect(mismatch(read(pgw, nw), refConv2dBwdFilter(gy, x, g)), `gw ${where}`).toBeNull();
  }
}
