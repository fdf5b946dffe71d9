// The direct convolution path of conv_simd.ts (assembly/conv_direct.ts), f32x4 only: groups of one input
// channel, stride and dilation 1, >= 8 output columns, where the batched path does not apply (fewer than 8
// images, rows of 32 or more, a large input). The forward (output rows in the lanes, tiles of 8 positions x
// up to 3 channels), the depthwise input gradient (C == O == G, finite weights: the same kernel on gy padded
// by (KH-1-ph, KW-1-pw) with the kernels rotated) and the weight gradient (9 taps per pass summed over the
// positions in the lanes), each against the f64 references; shapes at the tails of tiles and passes.
import { afterEach, describe, expect, it } from "vitest";
import { setKernelVariant } from "../../src/wasm.js";
import { conv2dBwdFilter, conv2dBwdInput, conv2dFwd } from "../../src/kernels/conv.js";
import { freeAll, useSimd } from "../helpers/wasm_buffers.js";
import { checkConv2d, conv, plus, put, read, type Sizes } from "../helpers/conv_paths.js";
import { mismatch, randArray, refConv2dBwdFilter, refConv2dBwdInput, refConv2dFwd, rng } from "../reference/conv.js";

const simd = useSimd();

afterEach(() => freeAll());

describe.runIf(simd)("direct forward for one input channel per group, output rows in the lanes (f32x4)", () => {
  // Tiles of 8 positions x up to 3 channels; a row's last 1..4 positions take a one-vector tile, and partial
  // vectors are stored lane by lane: OW = 8, 9, 12, 13, 33 cover both tile widths and every tail length.
  const cases: Array<[string, Partial<Sizes>]> = [
    ["LeNet conv1 on one image: 1->6 5x5 pad 2, 28x28", { C: 1, O: 6, H: 28, W: 28, KH: 5, KW: 5, ph: 2, pw: 2 }],
    ["depthwise 3x3 pad 1, 8 channels, 2 images, OW = 33", { N: 2, C: 8, O: 8, G: 8, H: 9, W: 33 }],
    ["channel multiplier 4 (tiles of 3 + 1), groups 3, OW = 13", { N: 3, C: 3, O: 12, G: 3, H: 6, W: 13 }],
    ["channel multiplier 2, OW = 9, pad 0 x 2, 1x5 kernel", { C: 2, O: 4, G: 2, H: 4, W: 5, KH: 1, KW: 5, ph: 0, pw: 2 }],
    ["5x1 kernel, OW = 12, 5 channels", { C: 1, O: 5, H: 9, W: 12, KH: 5, KW: 1, ph: 1, pw: 0 }],
    ["1x1 depthwise, OW = 8", { N: 2, C: 4, O: 4, G: 4, H: 3, W: 8, KH: 1, KW: 1, ph: 0, pw: 0 }],
    ["8 images with rows of 40 (too long for the batched path)", { N: 8, C: 1, O: 2, H: 5, W: 40 }],
    // Depthwise (C == O == G) input gradients take the same kernel on gy padded by (KH-1-ph, KW-1-pw).
    ["depthwise 5x3 pad 0 x 1, 3 channels, W = 11", { C: 3, O: 3, G: 3, H: 7, W: 11, KH: 5, KW: 3, ph: 0, pw: 1 }],
  ];
  // With the weight gradient: passes of 9 taps (25 = 9 + 9 + 7, 15 = 9 + 6, 5, 1) over gy rows padded to 4.
  for (const [name, s] of cases) it(name, () => checkConv2d(conv(s), name.length * 89, true));

  it("the weight gradient accumulates onto gw (depthwise 3x3 on 2 images; LeNet conv1 on 3)", () => {
    for (const s of [{ N: 2, C: 4, O: 4, G: 4, H: 10, W: 14 }, { N: 3, C: 1, O: 6, H: 28, W: 28, KH: 5, KW: 5, ph: 2, pw: 2 }]) {
      const g = conv(s);
      const r = rng(41 + s.N);
      const nx = g.N * g.C * g.H * g.W, nw = g.O * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
      const x = randArray(nx, r), gy = randArray(ny, r), gw0 = randArray(nw, r);
      setKernelVariant("f32x4");
      const pgw = put(gw0, 1);
      conv2dBwdFilter(pgw, put(gy, 2), put(x, 3), g);
      expect(mismatch(read(pgw, nw), plus(gw0, refConv2dBwdFilter(gy, x, g))), JSON.stringify(g)).toBeNull();
    }
  });

  it("depthwise input gradient with an infinite weight: only the in-range taps meet it (no NaN from padding)", () => {
    const g = conv({ C: 2, O: 2, G: 2, H: 6, W: 9 });
    const r = rng(8);
    const w = randArray(18, r), gy = randArray(2 * 54, r);
    w[9 + 4] = Infinity; // channel 1, the kernel's center
    setKernelVariant("f32x4");
    const pgx = put(new Float32Array(2 * 54));
    conv2dBwdInput(pgx, put(gy), put(w), g);
    const gx = read(pgx, 2 * 54);
    expect(mismatch(gx, refConv2dBwdInput(gy, w, g))).toBeNull();
    expect(gx.subarray(0, 54).every(Number.isFinite)).toBe(true);
  });

  it("gives the bits of the batched (GEMM) path: one image alone vs the same image in a batch of 8", () => {
    const one = conv({ N: 1, C: 1, O: 6, H: 12, W: 12, KH: 5, KW: 5, ph: 2, pw: 2 }), eight = { ...one, N: 8 };
    const r = rng(21);
    const x = randArray(144, r), w = randArray(150, r), b = randArray(6, r);
    const x8 = new Float32Array(8 * 144);
    for (let n = 0; n < 8; n++) x8.set(x, n * 144);
    setKernelVariant("f32x4");
    const pw = put(w), pb = put(b), py1 = put(new Float32Array(6 * 144)), py8 = put(new Float32Array(8 * 6 * 144));
    conv2dFwd(py1, put(x), pw, pb, one);
    conv2dFwd(py8, put(x8), pw, pb, eight);
    const y1 = read(py1, 6 * 144), y8 = read(py8, 8 * 6 * 144).subarray(0, 6 * 144);
    expect(Array.from(y1).every((v, i) => Object.is(v, y8[i]))).toBe(true);
  });

  it("a NaN in x reaches exactly the outputs that read it", () => {
    const g = conv({ C: 1, O: 3, H: 6, W: 10, ph: 1, pw: 1 });
    const r = rng(4);
    const x = randArray(60, r), w = randArray(27, r);
    x[2 * 10 + 9] = NaN; // row 2, last column: outputs rows 1..3, columns 8..9
    setKernelVariant("f32x4");
    const py = put(new Float32Array(3 * 60));
    conv2dFwd(py, put(x), put(w), 0, g);
    const y = read(py, 3 * 60);
    expect(mismatch(y, refConv2dFwd(x, w, null, g))).toBeNull();
    expect(y.filter(Number.isNaN).length).toBe(3 * 3 * 2);
  });
});
