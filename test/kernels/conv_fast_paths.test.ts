// The f32x4 convolution paths that only large or batched shapes take (assembly/conv_simd.ts decides):
//   - Winograd (conv_winograd.ts): 3x3, dilation 1, stride 1 (F(2x2, 3x3)) or 2 (conv_winograd_s2.ts), >= 16
//     input and output channels per group, output >= 4x4, finite data; the forward (hence conv_transpose2d's
//     input gradient) and, for stride 1, the input gradient (hence conv_transpose2d's forward) and the weight
//     gradient (conv_winograd_wgrad.ts; also >= 32 tiles per image or Cg * Og <= 4096);
//   - the batched forward (conv_batched.ts): N >= 8, output rows narrower than 32, a small input, not a plain
//     1x1 (also conv_transpose2d's input gradient, which accumulates); the weight gradient in the same layout
//     (also small Og <= 32, Kd <= 512, Og * OH * OW <= 8192), with tiles over runs of 5 taps for 5-wide kernels;
//   - the batched input gradient (conv_batched_bwd.ts): scattered for Og >= 8, else a padded forward for
//     stride 1 (finite weights), both with N >= 8 and small images;
//   - the NaN / infinity fallback of Winograd to im2col + GEMM.
// (The direct path of one-channel groups, conv_direct.ts, has its own file: conv_direct.test.ts.)
// The shapes below are chosen inside those conditions (and their edges: tails of 4-tile groups, of 4-row
// panels, of 8-image blocks, several tile and position blocks, k blocks deeper than 256), and every pass is
// checked against the f64 references, like conv2d.test.ts does for small random shapes.
import { afterEach, describe, expect, it } from "vitest";
import { setKernelVariant } from "../../src/wasm.js";
import { conv2dBwdFilter, conv2dBwdInput, conv2dFwd, convTranspose2dBwdInput, convTranspose2dFwd } from "../../src/kernels/conv.js";
import { freeAll, useSimd } from "../helpers/wasm_buffers.js";
import { checkConv2d, conv, plus, put, read, type Sizes } from "../helpers/conv_paths.js";
import {
  convTransposeOutSize, mismatch, randArray, refConv2dBwdFilter, refConv2dBwdInput, refConv2dFwd,
  refConvT2dBwdInput, refConvT2dFwd, rng,
} from "../reference/conv.js";

const simd = useSimd();

afterEach(() => freeAll());

describe.runIf(simd)("Winograd F(2x2, 3x3) (f32x4)", () => {
  const cases: Array<[string, Partial<Sizes>]> = [
    ["16->16 8x8 pad 1", {}],
    ["odd sizes: 17->19, 9x13 (tile and panel tails)", { C: 17, O: 19, H: 9, W: 13 }],
    ["pad 0 (valid), 10x11", { C: 16, O: 20, H: 10, W: 11, ph: 0, pw: 0 }],
    ["pad 2 (the input gradient has pad 0)", { C: 18, O: 16, H: 7, W: 9, ph: 2, pw: 2 }],
    ["pad 1 x 0", { C: 16, O: 17, H: 9, W: 8, ph: 1, pw: 0 }],
    ["groups 2, 3 images", { N: 3, C: 32, O: 40, H: 6, W: 7, G: 2 }],
    ["64->64 20x20 (several tile blocks)", { C: 64, O: 64, H: 20, W: 20 }],
    ["300->16 6x6 (deep GEMM)", { C: 300, O: 16, H: 6, W: 6 }],
    ["5 tiles per row (tile groups across two rows)", { C: 16, O: 16, H: 8, W: 10 }],
    ["stride 2: 16->16 9x9 pad 1", { H: 9, W: 9, sh: 2, sw: 2 }],
    ["stride 2: 17->20 12x17 pad 1 (groups across rows)", { C: 17, O: 20, H: 12, W: 17, sh: 2, sw: 2 }],
    ["stride 2, pad 0: 16->18 11x14", { O: 18, H: 11, W: 14, sh: 2, sw: 2, ph: 0, pw: 0 }],
    ["stride 2, pad 2 x 1: 16->16 12x10", { H: 12, W: 10, sh: 2, sw: 2, ph: 2, pw: 1 }],
    ["stride 2, groups 2, 2 images", { N: 2, C: 32, O: 32, H: 10, W: 10, sh: 2, sw: 2, G: 2 }],
    ["stride 2: 64->128 28x28 (several tile blocks)", { C: 64, O: 128, H: 28, W: 28, sh: 2, sw: 2 }],
    ["stride 2: 96->20 9x11 (4-position groups in 2 GEMMs of depth 192)", { C: 96, O: 20, H: 9, W: 11, sh: 2, sw: 2 }],
    ["stride 2: 300->16 7x9 (one position per GEMM)", { C: 300, O: 16, H: 7, W: 9, sh: 2, sw: 2 }],
  ];
  for (const [name, s] of cases) it(name, () => checkConv2d(conv(s), name.length * 131, name.startsWith("odd")));

  it("conv_transpose2d 3x3 stride 1 (forward via the input-gradient path, input grad via the forward)", () => {
    const s = { N: 2, C: 16, H: 9, W: 10, O: 24, KH: 3, KW: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, G: 1 };
    const g = { ...s, OH: convTransposeOutSize(9, 3, 1, 1, 1, 0), OW: convTransposeOutSize(10, 3, 1, 1, 1, 0) };
    const r = rng(77);
    const nx = g.N * g.C * g.H * g.W, nw = g.C * g.O * 9, ny = g.N * g.O * g.OH * g.OW;
    const x = randArray(nx, r), w = randArray(nw, r), b = randArray(g.O, r), gy = randArray(ny, r), gx0 = randArray(nx, r);
    setKernelVariant("f32x4");
    const px = put(x), pw = put(w), pb = put(b), pgy = put(gy), py = put(new Float32Array(ny).fill(NaN)), pgx = put(gx0);
    convTranspose2dFwd(py, px, pw, pb, g);
    convTranspose2dBwdInput(pgx, pgy, pw, g);
    expect(mismatch(read(py, ny), refConvT2dFwd(x, w, b, g))).toBeNull();
    expect(mismatch(read(pgx, nx), plus(gx0, refConvT2dBwdInput(gy, w, g)))).toBeNull();
  });

  it("conv_transpose2d 3x3 stride 2, output padding 1 (its input gradient is a stride-2 forward)", () => {
    const s = { N: 1, C: 16, H: 6, W: 7, O: 20, KH: 3, KW: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, G: 1 };
    const g = { ...s, OH: convTransposeOutSize(6, 3, 2, 1, 1, 1), OW: convTransposeOutSize(7, 3, 2, 1, 1, 1) };
    const r = rng(78);
    const nx = g.N * g.C * g.H * g.W, nw = g.C * g.O * 9, ny = g.N * g.O * g.OH * g.OW;
    const w = randArray(nw, r), gy = randArray(ny, r), gx0 = randArray(nx, r);
    setKernelVariant("f32x4");
    const pgx = put(gx0);
    convTranspose2dBwdInput(pgx, put(gy), put(w), g);
    expect(mismatch(read(pgx, nx), plus(gx0, refConvT2dBwdInput(gy, w, g)))).toBeNull();
  });

  // Winograd would spread a NaN or an infinity over its whole 2x2 tile (and turn inf - inf into NaN): the
  // kernels check the data first and take im2col + GEMM instead, so only the outputs that read the value see it.
  for (const [what, value, sh] of [["NaN", NaN, 1], ["infinity", Infinity, 1], ["a huge value", 3e38, 1], ["NaN", NaN, 2], ["infinity", Infinity, 2]] as const) {
    it(`${what} in x reaches exactly the outputs that read it (stride ${sh})`, () => {
      const g = conv({ C: 16, O: 16, H: 8, W: 8, sh, sw: sh });
      const P = g.OH * g.OW;
      const r = rng(5);
      const x = randArray(g.N * g.C * 64, r), w = randArray(g.O * g.C * 9, r);
      x[3 * 64 + 4 * 8 + 4] = value;
      setKernelVariant("f32x4");
      const py = put(new Float32Array(g.N * g.O * P));
      conv2dFwd(py, put(x), put(w), 0, g);
      const y = read(py, g.O * P), want = refConv2dFwd(x, w, null, g);
      expect(mismatch(y, want)).toBeNull();
      // Outputs in the 2x2 tile of one that reads the value, which do not read it themselves, stay finite.
      if (sh === 1 && value !== 3e38) expect(Number.isFinite(y[2 * P + 0]) && Number.isFinite(y[2 * P + 3 * 8 + 2])).toBe(true);
      if (sh === 2) expect(Number.isFinite(y[2 * P + 3 * 4 + 3])).toBe(true);
    });
  }

  // The data check reads 16 floats per step, then the rest one by one: a value in that rest (x has 17*7*9 =
  // 1071 floats, 15 past the last full step) must stop Winograd too. The value sits at row 5, column 5 of the
  // last channel, the centre of a tile's 5x5 patch, which the transform subtracts from its neighbours
  // (-inf - (-inf) = NaN where the direct sum is -inf; a huge value overflows).
  for (const [what, value] of [["-infinity", -Infinity], ["a huge value", -3e38]] as const) {
    it(`${what} in the last floats of x (past the check's 16-float steps) takes the fallback (stride 2)`, () => {
      const g = conv({ C: 17, O: 16, H: 7, W: 9, sh: 2, sw: 2 });
      const nx = g.C * g.H * g.W, ny = g.O * g.OH * g.OW;
      const r = rng(8);
      const x = randArray(nx, r), w = randArray(g.O * g.C * 9, r);
      x[16 * 63 + 5 * 9 + 5] = value;
      setKernelVariant("f32x4");
      const py = put(new Float32Array(ny));
      conv2dFwd(py, put(x), put(w), 0, g);
      expect(mismatch(read(py, ny), refConv2dFwd(x, w, null, g))).toBeNull();
    });
  }

  it("NaN in the weight of one output channel stays in that channel", () => {
    const g = conv({ C: 16, O: 16, H: 8, W: 8 });
    const r = rng(6);
    const x = randArray(16 * 64, r), w = randArray(16 * 16 * 9, r);
    w[5 * 144 + 7] = NaN;
    setKernelVariant("f32x4");
    const py = put(new Float32Array(16 * 64));
    conv2dFwd(py, put(x), put(w), 0, g);
    const y = read(py, 16 * 64), want = refConv2dFwd(x, w, null, g);
    // Channel 5 is NaN everywhere: im2col + GEMM multiplies the NaN tap by the zero padding too (the reference
    // skips padding terms; PyTorch's im2col path does not); every other channel is untouched.
    expect(y.subarray(5 * 64, 6 * 64).every(Number.isNaN)).toBe(true);
    for (const o of [0, 4, 6, 15]) expect(mismatch(y.subarray(o * 64, (o + 1) * 64), want.subarray(o * 64, (o + 1) * 64))).toBeNull();
  });
});

describe.runIf(simd)("batched forward, 8 images per GEMM panel (f32x4)", () => {
  const cases: Array<[string, Partial<Sizes>]> = [
    ["LeNet conv1: 8x1x12x12, 1->6 5x5 pad 2", { N: 8, C: 1, O: 6, H: 12, W: 12, KH: 5, KW: 5, ph: 2, pw: 2 }],
    ["LeNet conv2: 8x6x14x14, 6->16 5x5", { N: 8, C: 6, O: 16, H: 14, W: 14, KH: 5, KW: 5, ph: 0, pw: 0 }],
    ["9 images (a block of 1)", { N: 9, C: 3, O: 5, H: 7, W: 9, ph: 1, pw: 1 }],
    ["13 images (a block of 5)", { N: 13, C: 2, O: 7, H: 6, W: 5, KH: 2, KW: 3, ph: 0, pw: 1 }],
    ["stride 2, dilation 2, padding 3", { N: 8, C: 3, O: 4, H: 11, W: 10, sh: 2, sw: 2, ph: 3, pw: 3, dh: 2, dw: 2 }],
    ["groups 3, stride 1 x 2", { N: 10, C: 6, O: 9, H: 8, W: 9, G: 3, sh: 1, sw: 2 }],
    ["several position blocks, odd positions", { N: 8, C: 2, O: 3, H: 9, W: 13, KH: 2, KW: 2, ph: 0, pw: 0 }],
    ["k blocks deeper than 256 (30 channels x 9)", { N: 8, C: 30, O: 8, H: 6, W: 6 }],
    ["1x1 with stride 2 (not pointwise)", { N: 8, C: 4, O: 6, H: 7, W: 9, KH: 1, KW: 1, sh: 2, sw: 2, ph: 0, pw: 0 }],
    // One-row tiles (stride 1, the Og % 4 channels after the 4-row panels) at row lengths 31 and 16
    // (one row per C block), 11 (two rows, tile writes past a row end into the next row's positions).
    ["OW = 31, 5 channels (one-row tiles: 1), 9 images", { N: 9, C: 2, O: 5, H: 5, W: 31, KH: 3, KW: 3, ph: 1, pw: 1 }],
    ["OW = 16, 7 channels, dilation 2", { N: 8, C: 3, O: 7, H: 6, W: 20, KH: 2, KW: 3, ph: 0, pw: 0, dh: 2, dw: 2 }],
    ["OW = 11, 2 channels, groups 2, stride 2 x 1", { N: 16, C: 4, O: 4, H: 9, W: 11, G: 2, sh: 2, sw: 1 }],
    // Sliding tiles over runs of KW taps (stride and dilation 1 along rows) in k blocks of 255 = 51 runs.
    ["runs of 5 taps, Kd = 300 (two k blocks), 6 channels", { N: 8, C: 12, O: 6, H: 6, W: 8, KH: 5, KW: 5, ph: 2, pw: 2 }],
  ];
  for (const [name, s] of cases) it(name, () => checkConv2d(conv(s), name.length * 97, true));

  it("conv_transpose2d input gradient (a forward conv that accumulates) on 9 images", () => {
    const s = { N: 9, C: 5, H: 7, W: 6, O: 4, KH: 3, KW: 2, sh: 1, sw: 2, ph: 1, pw: 0, dh: 1, dw: 1, G: 1 };
    const g = { ...s, OH: convTransposeOutSize(7, 3, 1, 1, 1, 0), OW: convTransposeOutSize(6, 2, 2, 0, 1, 1) };
    const r = rng(79);
    const nx = g.N * g.C * g.H * g.W, nw = g.C * g.O * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
    const w = randArray(nw, r), gy = randArray(ny, r), gx0 = randArray(nx, r);
    setKernelVariant("f32x4");
    const pgx = put(gx0);
    convTranspose2dBwdInput(pgx, put(gy), put(w), g);
    expect(mismatch(read(pgx, nx), plus(gx0, refConvT2dBwdInput(gy, w, g)))).toBeNull();
  });

  it("weight gradient in the lanes accumulates onto gw (LeNet conv1 at 28x28, 11 images; conv2 with 2 groups)", () => {
    for (const s of [
      { N: 11, C: 1, O: 6, H: 28, W: 28, KH: 5, KW: 5, ph: 2, pw: 2 },
      { N: 17, C: 6, O: 10, H: 14, W: 14, KH: 5, KW: 5, ph: 0, pw: 0, G: 2 },
      { N: 8, C: 3, O: 5, H: 9, W: 7, KH: 3, KW: 2, sh: 2, sw: 1, ph: 2, pw: 0, dh: 1, dw: 3 },
      // Og a multiple of 4 (4-channel tiles): an odd Kd (a last tile of one tap); groups of 4, stride 2.
      { N: 9, C: 1, O: 8, H: 7, W: 9, KH: 3, KW: 3, ph: 1, pw: 1 },
      { N: 12, C: 6, O: 8, H: 9, W: 8, KH: 3, KW: 2, sh: 2, sw: 2, ph: 1, pw: 0, G: 2 },
      // Blocks of 6 rows of 20 positions (the last one row).
      { N: 8, C: 2, O: 6, H: 19, W: 20, KH: 3, KW: 3, ph: 1, pw: 1 },
      // 5 wide, stride and dilation 1 along rows: runs of 5 taps slid along rows; blocks of 7 rows of 17 (7, 7, 6).
      { N: 9, C: 2, O: 3, H: 26, W: 21, KH: 5, KW: 5, ph: 1, pw: 0, dh: 2 },
    ]) {
      const g = conv(s);
      const r = rng(31 + s.N);
      const nx = g.N * g.C * g.H * g.W, nw = g.O * (g.C / g.G) * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
      const x = randArray(nx, r), gy = randArray(ny, r), gw0 = randArray(nw, r);
      setKernelVariant("f32x4");
      const pgw = put(gw0, 1);
      conv2dBwdFilter(pgw, put(gy, 2), put(x, 3), g);
      expect(mismatch(read(pgw, nw), plus(gw0, refConv2dBwdFilter(gy, x, g))), JSON.stringify(g)).toBeNull();
    }
  });

  it("a NaN in one image stays in that image", () => {
    const g = conv({ N: 8, C: 2, O: 3, H: 6, W: 6, ph: 1, pw: 1 });
    const r = rng(9);
    const x = randArray(8 * 2 * 36, r), w = randArray(3 * 2 * 9, r);
    x[5 * 72 + 36 + 14] = NaN;
    setKernelVariant("f32x4");
    const py = put(new Float32Array(8 * 3 * 36));
    conv2dFwd(py, put(x), put(w), 0, g);
    const y = read(py, 8 * 3 * 36);
    expect(mismatch(y, refConv2dFwd(x, w, null, g))).toBeNull();
    expect(y.filter(Number.isNaN).length).toBe(3 * 9);
  });
});

describe.runIf(simd)("batched input gradient, a padded forward with 8 images in the lanes (f32x4)", () => {
  // conv_batched_bwd.ts, try_conv_bwd_input_batched: stride 1, dilation 1, N >= 8, W < 32, Og < 8 (else the
  // scatter below), a finite weight; 4-row tiles for each 4 input channels, one-row tiles over 4 positions
  // for the rest (W not a multiple of 4: tiles past the row end).
  const cases: Array<[string, Partial<Sizes>]> = [
    ["LeNet conv1: 9x1x28x28, 1->6 5x5 pad 2 (one-row tiles only)", { N: 9, C: 1, O: 6, H: 28, W: 28, KH: 5, KW: 5, ph: 2, pw: 2 }],
    ["16x6x14x14, 6->7 5x5 (4-row + one-row tiles)", { N: 16, C: 6, O: 7, H: 14, W: 14, KH: 5, KW: 5, ph: 0, pw: 0 }],
    ["W = 31, 7 rows, 8 input channels, 12 images", { N: 12, C: 8, O: 3, H: 7, W: 31, KH: 3, KW: 4, ph: 1, pw: 2 }],
    ["W = 5 and 9, 5 input channels, padding 1 x 0", { N: 8, C: 5, O: 4, H: 9, W: 5, KH: 3, KW: 2, ph: 1, pw: 0 }],
    ["W = 9, K deeper than 256 (7 x 49 taps), one image left over", { N: 9, C: 5, O: 7, H: 9, W: 9, KH: 7, KW: 7, ph: 2, pw: 3 }],
    ["kernel taller than the output (ph = 0, 6x6 on 7x8)", { N: 8, C: 2, O: 3, H: 7, W: 8, KH: 6, KW: 6, ph: 0, pw: 0 }],
    ["groups 2, 15 images", { N: 15, C: 6, O: 4, H: 10, W: 11, KH: 3, KW: 3, ph: 0, pw: 1, G: 2 }],
    ["7 images (below a block: im2col path)", { N: 7, C: 1, O: 6, H: 12, W: 12, KH: 5, KW: 5, ph: 2, pw: 2 }],
    ["W = 32 (im2col path)", { N: 8, C: 1, O: 2, H: 3, W: 32, KH: 3, KW: 3, ph: 1, pw: 1 }],
  ];
  for (const [name, s] of cases) it(name, () => checkConv2d(conv(s), name.length * 89));

  it("a NaN in gy stays in the pixels that read it; a NaN weight goes the im2col way (channel-local)", () => {
    const g = conv({ N: 8, C: 2, O: 3, H: 6, W: 7, KH: 3, KW: 3, ph: 0, pw: 0 });
    const r = rng(21);
    const nx = 8 * 2 * 42, nw = 3 * 2 * 9, ny = 8 * 3 * 4 * 5;
    const gy = randArray(ny, r), w = randArray(nw, r);
    gy[3 * 60 + 20 + 2 * 5 + 1] = NaN; // image 3, channel 1, (2, 1): reaches gx rows 2..4, columns 1..3
    setKernelVariant("f32x4");
    let pgx = put(new Float32Array(nx));
    conv2dBwdInput(pgx, put(gy), put(w), g);
    let gx = read(pgx, nx);
    expect(mismatch(gx, refConv2dBwdInput(gy, w, g))).toBeNull();
    expect(gx.filter(Number.isNaN).length).toBe(2 * 9);
    gy[3 * 60 + 20 + 2 * 5 + 1] = 0.5;
    w[9 + 4] = Number.POSITIVE_INFINITY; // o = 0, c = 1, centre tap: every in-range pixel of channel 1
    pgx = put(new Float32Array(nx));
    conv2dBwdInput(pgx, put(gy), put(w), g);
    gx = read(pgx, nx);
    expect(mismatch(gx, refConv2dBwdInput(gy, w, g))).toBeNull();
    for (let n = 0; n < 8; n++) expect(gx.subarray(n * 84, n * 84 + 42).some((v) => !Number.isFinite(v))).toBe(false);
  });

  it("conv_transpose2d forward (an accumulating input gradient) on 10 images, stride 1", () => {
    const s = { N: 10, C: 3, H: 6, W: 7, O: 5, KH: 3, KW: 3, sh: 1, sw: 1, ph: 1, pw: 0, dh: 1, dw: 1, G: 1 };
    const g = { ...s, OH: convTransposeOutSize(6, 3, 1, 1, 1, 0), OW: convTransposeOutSize(7, 3, 1, 0, 1, 0) };
    const r = rng(83);
    const nx = g.N * g.C * g.H * g.W, nw = g.C * g.O * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
    const x = randArray(nx, r), w = randArray(nw, r), b = randArray(g.O, r);
    setKernelVariant("f32x4");
    const py = put(new Float32Array(ny).fill(NaN));
    convTranspose2dFwd(py, put(x), put(w), put(b), g);
    expect(mismatch(read(py, ny), refConvT2dFwd(x, w, b, g))).toBeNull();
  });
});

describe.runIf(simd)("batched input gradient, scattered from 8 images in the lanes (f32x4)", () => {
  // conv_batched_bwd.ts, try_conv_bwd_input_scatter: N >= 8, Og >= 8, not a Winograd shape, small images;
  // any stride, dilation, padding; 4-tap panels (Kd not a multiple of 4: a partial last panel).
  const cases: Array<[string, Partial<Sizes>]> = [
    ["LeNet conv2: 9x6x14x14, 6->16 5x5 (Kd = 150)", { N: 9, C: 6, O: 16, H: 14, W: 14, KH: 5, KW: 5, ph: 0, pw: 0 }],
    ["Og = 8, 13 images, Kd = 27 (3 x 3 x 3), padding 1", { N: 13, C: 3, O: 8, H: 9, W: 7 }],
    ["stride 2, dilation 2, padding 2 x 3, Kd = 12", { N: 8, C: 2, O: 9, H: 11, W: 13, KH: 3, KW: 2, sh: 2, sw: 2, ph: 2, pw: 3, dh: 2, dw: 2 }],
    ["groups 2 (Og = 10), stride 1 x 3, 24 images", { N: 24, C: 4, O: 20, H: 8, W: 10, KH: 2, KW: 3, sw: 3, ph: 0, pw: 1, G: 2 }],
    ["Og = 20 at W = 40 (wide rows), 1 input channel", { N: 8, C: 1, O: 20, H: 5, W: 40, KH: 5, KW: 5, ph: 2, pw: 2 }],
  ];
  for (const [name, s] of cases) it(name, () => checkConv2d(conv(s), name.length * 71));

  it("a NaN in gy or a weight reaches exactly the pixels PyTorch's sum has it in", () => {
    const g = conv({ N: 9, C: 2, O: 8, H: 6, W: 7, KH: 3, KW: 3, ph: 0, pw: 0 });
    const r = rng(22);
    const nx = 9 * 2 * 42, nw = 8 * 2 * 9, ny = 9 * 8 * 4 * 5;
    const gy = randArray(ny, r), w = randArray(nw, r);
    gy[8 * 160 + 20 + 2 * 5 + 1] = NaN; // image 8 (the 1-image block), channel 1, (2, 1): rows 2..4, columns 1..3
    setKernelVariant("f32x4");
    let pgx = put(new Float32Array(nx));
    conv2dBwdInput(pgx, put(gy), put(w), g);
    let gx = read(pgx, nx);
    expect(mismatch(gx, refConv2dBwdInput(gy, w, g))).toBeNull();
    expect(gx.filter(Number.isNaN).length).toBe(2 * 9);
    gy[8 * 160 + 20 + 2 * 5 + 1] = 0.5;
    w[9 + 0] = NaN; // o = 0, c = 1, tap (0, 0): gx[n, 1, i, j] for i < 4, j < 5 in every image
    pgx = put(new Float32Array(nx));
    conv2dBwdInput(pgx, put(gy), put(w), g);
    gx = read(pgx, nx);
    expect(mismatch(gx, refConv2dBwdInput(gy, w, g))).toBeNull();
    expect(gx.filter(Number.isNaN).length).toBe(9 * 20);
  });
});

/** conv2d weight gradient onto random gw values (it accumulates) vs gw0 + the f64 reference. */
function checkGradW(g: ConvGeometry, seed: number): void {
  const r = rng(seed);
  const nx = g.N * g.C * g.H * g.W, nw = g.O * (g.C / g.G) * 9, ny = g.N * g.O * g.OH * g.OW;
  const x = randArray(nx, r), gy = randArray(ny, r), gw0 = randArray(nw, r);
  setKernelVariant("f32x4");
  const pgw = put(gw0, 1);
  conv2dBwdFilter(pgw, put(gy, 2), put(x, 3), g);
  expect(mismatch(read(pgw, nw), plus(gw0, refConv2dBwdFilter(gy, x, g))), JSON.stringify(g)).toBeNull();
}

describe.runIf(simd)("Winograd F(2x2, 3x3) weight gradient (f32x4)", () => {
  const cases: Array<[string, Partial<Sizes>]> = [
    ["16->16 8x8 pad 1", {}],
    ["odd sizes: 17->19, 9x13 (partial tiles, channel tails)", { C: 17, O: 19, H: 9, W: 13 }],
    ["9x4: 10 tiles (a phantom pair in the last 4-tile group)", { C: 16, O: 16, H: 9, W: 4 }],
    ["pad 0 (valid), 10x11", { C: 16, O: 20, H: 10, W: 11, ph: 0, pw: 0 }],
    ["pad 2 x 0, 7x9", { C: 18, O: 16, H: 7, W: 9, ph: 2, pw: 0 }],
    ["groups 2 (16 channels per group), 3 images", { N: 3, C: 32, O: 32, H: 7, W: 6, G: 2 }],
    ["33->40 30x30, 2 images (several tile blocks, a partial last one)", { N: 2, C: 33, O: 40, H: 30, W: 30 }],
    ["256->16 6x6 (9 tiles, the largest accumulator for so few)", { C: 256, O: 16, H: 6, W: 6 }],
    ["128->64 12x13 pad 1 x 0 (36 tiles)", { C: 128, O: 64, H: 12, W: 13, pw: 0 }],
    ["64->64 56x56 (the ResNet layer)", { C: 64, O: 64, H: 56, W: 56 }],
  ];
  for (const [name, s] of cases) it(name, () => checkGradW(conv(s), name.length * 53));

  // Winograd would spread a NaN of x over its whole 2x2 tile's taps (and an infinity in gy would meet
  // inf - inf): the guard sends such data to im2col + GEMM, where only the taps that read the value see it.
  it("NaN in x reaches exactly the taps that read it", () => {
    const g = conv({ C: 16, O: 16, H: 8, W: 9, ph: 0, pw: 0 });
    const r = rng(12);
    const x = randArray(16 * 72, r), gy = randArray(16 * g.OH * g.OW, r);
    x[3 * 72 + 9 + 1] = NaN; // channel 3, row 1, column 1: read by the taps (0..1, 0..1) only
    setKernelVariant("f32x4");
    const pgw = put(new Float32Array(16 * 16 * 9));
    conv2dBwdFilter(pgw, put(gy), put(x), g);
    const gw = read(pgw, 16 * 16 * 9);
    expect(mismatch(gw, refConv2dBwdFilter(gy, x, g))).toBeNull();
    expect(gw.filter(Number.isNaN).length).toBe(16 * 4);
  });

  it("an infinity in gy gives infinities, not NaNs, in its output channel", () => {
    const g = conv({ C: 16, O: 16, H: 8, W: 8, ph: 0, pw: 0 });
    const r = rng(13);
    const x = randArray(16 * 64, r), gy = randArray(16 * g.OH * g.OW, r);
    gy[5 * g.OH * g.OW + 7] = Infinity;
    setKernelVariant("f32x4");
    const pgw = put(new Float32Array(16 * 16 * 9));
    conv2dBwdFilter(pgw, put(gy), put(x), g);
    const gw = read(pgw, 16 * 16 * 9);
    expect(mismatch(gw, refConv2dBwdFilter(gy, x, g))).toBeNull();
    expect(gw.filter((v) => !Number.isFinite(v)).length).toBe(16 * 9);
    expect(gw.some(Number.isNaN)).toBe(false);
  });
});
