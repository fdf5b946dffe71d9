// The Winograd input gradient of 4x4 stride-2 convolutions (assembly/conv_winograd_t2.ts), which
// conv_transpose2d k4 s2 forward and conv2d's input gradient take (conv_simd.ts decides): dilation 1, padding
// 0..3 per axis, >= 16 channels in and out per group, finite data (else im2col + GEMM + col2im). The shapes
// below are chosen inside those conditions and on their edges (tile and pair tails, a phantom tile, one tile
// row, output padding, groups, several tile blocks, channel counts off multiples of 4 and 8) and checked
// against the f64 references; the last ones put a NaN or an infinity into the data, which must take the
// fallback and reach exactly the outputs PyTorch's sums have it in.
import { afterEach, describe, expect, it } from "vitest";
import { setKernelVariant } from "../../src/wasm.js";
import { conv2dBwdInput, convTranspose2dFwd, type ConvGeometry } from "../../src/kernels/conv.js";
import { freeAll, putGuarded, readGuarded, useSimd } from "../helpers/wasm_buffers.js";
import {
  convOutSize, convTransposeOutSize, mismatch, randArray, refConv2dBwdInput, refConvT2dFwd, rng,
} from "../reference/conv.js";

const simd = useSimd();

afterEach(() => freeAll());

const plus = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v + b[i]);

/** A conv_transpose2d k4 s2 geometry: x (N, C, H, W) -> y (N, O, OH, OW), padding p, output padding op. */
interface TSizes { N: number; C: number; O: number; H: number; W: number; ph: number; pw: number; oph?: number; opw?: number; G?: number }
function tconv({ oph = 0, opw = 0, G = 1, ...s }: TSizes): ConvGeometry {
  return {
    ...s, G, KH: 4, KW: 4, sh: 2, sw: 2, dh: 1, dw: 1,
    OH: convTransposeOutSize(s.H, 4, 2, s.ph, 1, oph), OW: convTransposeOutSize(s.W, 4, 2, s.pw, 1, opw),
  };
}

/** conv_transpose2d forward (with bias, onto a NaN-filled y) against the f64 reference. */
function checkTconv(g: ConvGeometry, seed: number, poke?: (x: Float32Array, w: Float32Array) => void): Float32Array {
  const r = rng(seed);
  const nx = g.N * g.C * g.H * g.W, nw = g.C * (g.O / g.G) * 16, ny = g.N * g.O * g.OH * g.OW;
  const x = randArray(nx, r), w = randArray(nw, r), b = randArray(g.O, r);
  poke?.(x, w);
  setKernelVariant("f32x4");
  const py = putGuarded(new Float32Array(ny).fill(NaN), seed & 3);
  convTranspose2dFwd(py, putGuarded(x, 1), putGuarded(w, 2), putGuarded(b, 3), g);
  const y = readGuarded(py, ny);
  expect(mismatch(y, refConvT2dFwd(x, w, b, g)), `y ${JSON.stringify(g)}`).toBeNull();
  return y;
}

/** conv2d input gradient (accumulated onto random values) of a k4 s2 conv2d against the f64 reference. */
function checkConv2dBwdInput(s: Omit<ConvGeometry, "OH" | "OW" | "KH" | "KW" | "sh" | "sw" | "dh" | "dw">, seed: number): void {
  const g: ConvGeometry = {
    ...s, KH: 4, KW: 4, sh: 2, sw: 2, dh: 1, dw: 1,
    OH: convOutSize(s.H, 4, 2, s.ph, 1), OW: convOutSize(s.W, 4, 2, s.pw, 1),
  };
  const r = rng(seed);
  const nx = g.N * g.C * g.H * g.W, nw = g.O * (g.C / g.G) * 16, ny = g.N * g.O * g.OH * g.OW;
  const w = randArray(nw, r), gy = randArray(ny, r), gx0 = randArray(nx, r);
  setKernelVariant("f32x4");
  const pgx = putGuarded(gx0, 3);
  conv2dBwdInput(pgx, putGuarded(gy, 1), putGuarded(w, 2), g);
  expect(mismatch(readGuarded(pgx, nx), plus(gx0, refConv2dBwdInput(gy, w, g))), `gx ${JSON.stringify(g)}`).toBeNull();
}

describe.runIf(simd)("Winograd input gradient of k4 s2 convolutions (f32x4)", () => {
  const cases: Array<[string, TSizes]> = [
    ["16->16 4x4 p1 (one tile row, 2 tiles)", { N: 1, C: 16, O: 16, H: 4, W: 4, ph: 1, pw: 1 }],
    ["17->19 5x7 p1, 3 images (odd channels, phantom tile)", { N: 3, C: 17, O: 19, H: 5, W: 7, ph: 1, pw: 1 }],
    ["20->18 6x9 p1, output padding 1 (odd output sizes)", { N: 2, C: 20, O: 18, H: 6, W: 9, ph: 1, pw: 1, oph: 1, opw: 1 }],
    ["16->24 7x5 p3", { N: 1, C: 16, O: 24, H: 7, W: 5, ph: 3, pw: 3 }],
    ["16->16 6x7 p1 x 3, output padding 0 x 1", { N: 1, C: 16, O: 16, H: 6, W: 7, ph: 1, pw: 3, opw: 1 }],
    ["16->17 5x6 p0 (even padding: tiles start on odd outputs)", { N: 1, C: 16, O: 17, H: 5, W: 6, ph: 0, pw: 0 }],
    ["19->16 7x6 p2, output padding 1, 2 images", { N: 2, C: 19, O: 16, H: 7, W: 6, ph: 2, pw: 2, oph: 1, opw: 1 }],
    ["16->16 6x9 p0 x 1 (axes of both kinds)", { N: 1, C: 16, O: 16, H: 6, W: 9, ph: 0, pw: 1 }],
    ["16->20 9x5 p3 x 2, output padding 1 x 0", { N: 1, C: 16, O: 20, H: 9, W: 5, ph: 3, pw: 2, oph: 1 }],
    ["groups 2: 40->36 5x6, 2 images", { N: 2, C: 40, O: 36, H: 5, W: 6, ph: 1, pw: 1, G: 2 }],
    ["64->32 14x13 (several tile blocks, tile groups across rows)", { N: 1, C: 64, O: 32, H: 14, W: 13, ph: 1, pw: 1 }],
    ["21->150 5x5 (deep channels, wide GEMM rows)", { N: 1, C: 21, O: 150, H: 5, W: 5, ph: 1, pw: 1 }],
  ];
  for (const [name, s] of cases) it(`conv_transpose2d ${name}`, () => checkTconv(tconv(s), name.length * 131));

  it("conv2d input gradient, 16->16 k4 s2 p1 on 11x12 (odd input: the last row and column read no gy)", () => {
    checkConv2dBwdInput({ N: 2, C: 16, O: 16, H: 11, W: 12, ph: 1, pw: 1, G: 1 }, 7);
  });
  it("conv2d input gradient, 18->17 k4 s2 p3 on 13x10", () => {
    checkConv2dBwdInput({ N: 1, C: 18, O: 17, H: 13, W: 10, ph: 3, pw: 3, G: 1 }, 8);
  });
  it("conv2d input gradient, 16->24 k4 s2 p0 x 2 on 12x15", () => {
    checkConv2dBwdInput({ N: 1, C: 16, O: 24, H: 12, W: 15, ph: 0, pw: 2, G: 1 }, 9);
  });

  // Winograd would turn an infinity into NaNs (inf - inf), overflow on huge values and multiply a NaN weight
  // by padding zeros that PyTorch's sums never form: such data takes im2col + GEMM + col2im, where only the
  // outputs whose sums read the value see it.
  for (const [what, value] of [["NaN", NaN], ["infinity", Infinity], ["a huge value", 3e38]] as const) {
    it(`${what} in x reaches exactly the outputs that read it`, () => {
      const g = tconv({ N: 1, C: 16, O: 16, H: 6, W: 6, ph: 1, pw: 1 });
      const y = checkTconv(g, 11, (x) => { x[2 * 36 + 3 * 6 + 2] = value; });
      // x[3][2] reaches output rows 5..8 and columns 3..6 only; (4, 4) is in its Winograd tile but not there
      // (each output's F(2,2) terms only read the inputs its direct sum reads: a NaN alone would stay local,
      // but an infinity turns into NaN through inf - inf).
      if (value !== 3e38) expect(Number.isFinite(y[4 * 12 + 4])).toBe(true);
    });
  }
  it("NaN in one weight tap reaches exactly the outputs that use it (not the border ones next to them)", () => {
    const g = tconv({ N: 1, C: 16, O: 16, H: 5, W: 5, ph: 1, pw: 1 });
    // Tap (3, 1) of input channel 3 -> output channel 5: used by even rows >= 2 and even columns only. Winograd
    // would also give NaN in row 0 (its padded row -1 times the tap), which PyTorch's sums never form.
    const y = checkTconv(g, 12, (_x, w) => { w[3 * 256 + 5 * 16 + 3 * 4 + 1] = NaN; });
    expect(Number.isNaN(y[5 * 100 + 2 * 10 + 2]) && Number.isFinite(y[5 * 100])).toBe(true);
    expect(y.subarray(0, 5 * 100).every(Number.isFinite)).toBe(true);
  });
});
