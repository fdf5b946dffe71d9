// conv2d kernels (assembly/conv2d.ts) against the naive reference (test/reference/conv.ts) and PyTorch fixtures,
// for both kernel twins: forward overwrites, the three gradients accumulate onto what the buffers held.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { setKernelVariant } from "../../src/wasm.js";
import { conv2dBwdBias, conv2dBwdFilter, conv2dBwdInput, conv2dFwd, type ConvGeometry } from "../../src/kernels/conv.js";
import { freeAll, putGuarded, readGuarded, VARIANTS } from "../helpers/wasm_buffers.js";
import { loadFixture } from "../helpers/fixtures.js";
import {
  convOutSize, mismatch, randArray, refBiasGrad, refConv2dBwdFilter, refConv2dBwdInput, refConv2dFwd, rng,
} from "../reference/conv.js";

afterEach(() => freeAll());


type Sizes = Omit<ConvGeometry, "OH" | "OW">;
function geom(s: Sizes): ConvGeometry {
  return { ...s, OH: convOutSize(s.H, s.KH, s.sh, s.ph, s.dh), OW: convOutSize(s.W, s.KW, s.sw, s.pw, s.dw) };
}
function sizes(g: ConvGeometry) {
  return { nx: g.N * g.C * g.H * g.W, nw: g.O * (g.C / g.G) * g.KH * g.KW, ny: g.N * g.O * g.OH * g.OW };
}

interface Data { x: Float32Array; w: Float32Array; b: Float32Array | null; gy: Float32Array }
interface Grads { gx: Float32Array; gw: Float32Array; gb: Float32Array }

/** Runs the four conv2d kernels with gradient buffers pre-filled with `init`; returns what they hold after. */
function run(v: Variant, g: ConvGeometry, d: Data, init: Grads, off = 0) {
  setKernelVariant(v);
  const { nx, nw, ny } = sizes(g);
  const px = putGuarded(d.x, off), pw = putGuarded(d.w, (off + 1) & 3), pb = d.b ? putGuarded(d.b, (off + 2) & 3) : 0;
  const pgy = putGuarded(d.gy, (off + 3) & 3);
  const py = putGuarded(new Float32Array(ny).fill(NaN), (off + 1) & 3);
  const pgx = putGuarded(init.gx, (off + 2) & 3), pgw = putGuarded(init.gw, off), pgb = putGuarded(init.gb, (off + 1) & 3);
  conv2dFwd(py, px, pw, pb, g);
  conv2dBwdInput(pgx, pgy, pw, g);
  conv2dBwdFilter(pgw, pgy, px, g);
  conv2dBwdBias(pgb, pgy, g.N, g.O, g.OH * g.OW);
  return { y: readGuarded(py, ny), gx: readGuarded(pgx, nx), gw: readGuarded(pgw, nw), gb: readGuarded(pgb, g.O) };
}

function plus(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v, i) => v + b[i]);
}

/** Random data and random gradient starting values; checks all four kernels against the reference. */
function check(v: Variant, g: ConvGeometry, seed: number, withBias = true, off = seed & 3): void {
  const r = rng(seed);
  const { nx, nw, ny } = sizes(g);
  const d: Data = { x: randArray(nx, r), w: randArray(nw, r), b: withBias ? randArray(g.O, r) : null, gy: randArray(ny, r) };
  const init: Grads = { gx: randArray(nx, r), gw: randArray(nw, r), gb: randArray(g.O, r) };
  const got = run(v, g, d, init, off);
  const where = `${v} ${JSON.stringify(g)}`;
  expect(mismatch(got.y, refConv2dFwd(d.x, d.w, d.b, g)), `y ${where}`).toBeNull();
  expect(mismatch(got.gx, plus(init.gx, refConv2dBwdInput(d.gy, d.w, g))), `gx ${where}`).toBeNull();
  expect(mismatch(got.gw, plus(init.gw, refConv2dBwdFilter(d.gy, d.x, g))), `gw ${where}`).toBeNull();
  expect(mismatch(got.gb, plus(init.gb, refBiasGrad(d.gy, g.N, g.O, g.OH * g.OW))), `gb ${where}`).toBeNull();
}

const base: Sizes = { N: 1, C: 1, H: 5, W: 5, O: 1, KH: 3, KW: 3, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, G: 1 };
const EDGE_CASES: Array<[string, Sizes]> = [
  ...[3, 4, 5, 7, 8, 9, 12, 13, 16, 17].flatMap((W) => [1, 3].map((K): [string, Sizes] => [
    `width ${W} k${K}`, { ...base, N: 2, C: 3, O: 5, H: 6, W, KH: K, KW: K, ph: K >> 1, pw: K >> 1 },
  ])),
  ["1x1 pointwise", { ...base, N: 2, C: 8, O: 12, H: 7, W: 9, KH: 1, KW: 1 }],
  ["1x1 stride 2", { ...base, C: 4, O: 6, H: 7, W: 9, KH: 1, KW: 1, sh: 2, sw: 2 }],
  ["1x1 padding 1", { ...base, C: 2, O: 3, H: 4, W: 5, KH: 1, KW: 1, ph: 1, pw: 1 }],
  ["1x5 kernel", { ...base, N: 2, C: 3, O: 4, H: 6, W: 11, KH: 1, KW: 5, pw: 2 }],
  ["5x1 kernel", { ...base, N: 2, C: 3, O: 4, H: 11, W: 6, KH: 5, KW: 1, ph: 2 }],
  ["1xN on a 1-row input", { ...base, C: 2, O: 3, H: 1, W: 9, KH: 1, KW: 4 }],
  ["depthwise 6", { ...base, N: 2, C: 6, O: 6, G: 6, H: 9, W: 10, ph: 1, pw: 1 }],
  ["depthwise multiplier 2", { ...base, C: 4, O: 8, G: 4, H: 7, W: 7, sh: 2, sw: 2, ph: 1, pw: 1 }],
  ["C=O=37 (microkernel tails)", { ...base, N: 2, C: 37, O: 37, H: 9, W: 9, ph: 1, pw: 1 }],
  ["C=40 O=130 17x17 (all cache blocks)", { ...base, C: 40, O: 130, H: 17, W: 17, ph: 1, pw: 1 }],
  ["pointwise 300->260 (deep blocks)", { ...base, C: 300, O: 260, H: 5, W: 6, KH: 1, KW: 1 }],
  ["O=270 k3 (input-grad depth blocks)", { ...base, C: 3, O: 270, H: 6, W: 7, ph: 1, pw: 1 }],
  ["stride > kernel", { ...base, C: 2, O: 3, H: 13, W: 12, KH: 2, KW: 2, sh: 3, sw: 3 }],
  ["dilation 3 stride 2 padding 3", { ...base, C: 2, O: 3, H: 13, W: 11, sh: 2, sw: 2, ph: 3, pw: 3, dh: 3, dw: 3 }],
  ["padding larger than kernel", { ...base, C: 2, O: 2, H: 4, W: 4, KH: 2, KW: 2, ph: 3, pw: 3 }],
  ["kernel covers the input", { ...base, C: 3, O: 2, H: 5, W: 5, KH: 5, KW: 5 }],
  ["1x1 input, k5 p2", { ...base, C: 2, O: 2, H: 1, W: 1, KH: 5, KW: 5, ph: 2, pw: 2 }],
  ["56x56 64->8 k3 p1", { ...base, C: 16, O: 8, H: 56, W: 56, ph: 1, pw: 1 }],
];

/** Random conv2d geometries within the ranges of the brief (OH, OW >= 1). */
const geometryArb = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), G: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 6 }), og: fc.integer({ min: 1, max: 6 }),
    H: fc.integer({ min: 1, max: 13 }), W: fc.integer({ min: 1, max: 13 }),
    KH: fc.integer({ min: 1, max: 5 }), KW: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }),
    dh: fc.integer({ min: 1, max: 3 }), dw: fc.integer({ min: 1, max: 3 }),
  })
  .filter((s) => s.cg * s.G <= 6 && s.og * s.G <= 6)
  .map(({ cg, og, ...s }) => geom({ ...s, C: cg * s.G, O: og * s.G }))
  .filter((g) => g.OH >= 1 && g.OW >= 1);

for (const v of VARIANTS) {
  describe(`conv2d kernels (${v})`, () => {
    it("match the reference on random geometries", () => {
      fc.assert(
        fc.property(geometryArb, fc.integer({ min: 0, max: 2 ** 30 }), fc.boolean(), (g, seed, bias) => {
          check(v, g, seed, bias);
          freeAll();
        }),
        { numRuns: 200 },
      );
    });

    for (const [name, s] of EDGE_CASES) {
      it(`edge case: ${name}`, () => check(v, geom(s), name.length * 7919, true));
    }

    it("forward without bias overwrites, backward accumulates (twice = 2x)", () => {
      const g = geom({ ...base, N: 2, C: 4, O: 6, H: 7, W: 9, ph: 1, pw: 1, G: 2 });
      const { nx, nw, ny } = sizes(g);
      const r = rng(5);
      const x = randArray(nx, r), w = randArray(nw, r), gy = randArray(ny, r);
      setKernelVariant(v);
      const px = putGuarded(x, 1), pw = putGuarded(w, 2), pgy = putGuarded(gy, 3);
      const py = putGuarded(new Float32Array(ny).fill(NaN), 0);
      const pgx = putGuarded(new Float32Array(nx), 0), pgw = putGuarded(new Float32Array(nw), 0), pgb = putGuarded(new Float32Array(g.O), 0);
      for (let t = 0; t < 2; t++) {
        conv2dFwd(py, px, pw, 0, g);
        conv2dBwdInput(pgx, pgy, pw, g);
        conv2dBwdFilter(pgw, pgy, px, g);
        conv2dBwdBias(pgb, pgy, g.N, g.O, g.OH * g.OW);
      }
      const twice = (a: Float64Array) => a.map((e) => 2 * e);
      expect(mismatch(readGuarded(py, ny), refConv2dFwd(x, w, null, g))).toBeNull();
      expect(mismatch(readGuarded(pgx, nx), twice(refConv2dBwdInput(gy, w, g)))).toBeNull();
      expect(mismatch(readGuarded(pgw, nw), twice(refConv2dBwdFilter(gy, x, g)))).toBeNull();
      expect(mismatch(readGuarded(pgb, g.O), twice(refBiasGrad(gy, g.N, g.O, g.OH * g.OW)))).toBeNull();
    });

    it("NaN in x reaches exactly the outputs and weight gradients that read it; NaN in gy reaches gx", () => {
      const g = geom({ ...base, N: 1, C: 3, O: 5, H: 8, W: 9, ph: 1, pw: 1 });
      const { nx, nw, ny } = sizes(g);
      const r = rng(11);
      const d: Data = { x: randArray(nx, r), w: randArray(nw, r), b: randArray(g.O, r), gy: randArray(ny, r) };
      d.x[1 * 72 + 3 * 9 + 4] = NaN;
      // An interior position: a border one would also multiply NaN by the zero padding, which the f32x4 weight
      // gradient does (im2col + GEMM, like PyTorch's im2col path) and the direct loops skip.
      d.gy[2 * 72 + 3 * 9 + 4] = NaN;
      const init: Grads = { gx: new Float32Array(nx), gw: new Float32Array(nw), gb: new Float32Array(g.O) };
      const got = run(v, g, d, init);
      const y = refConv2dFwd(d.x, d.w, d.b, g);
      expect(y.some(Number.isNaN) && !y.every(Number.isNaN)).toBe(true);
      expect(mismatch(got.y, y)).toBeNull();
      expect(mismatch(got.gx, refConv2dBwdInput(d.gy, d.w, g))).toBeNull();
      expect(mismatch(got.gw, refConv2dBwdFilter(d.gy, d.x, g))).toBeNull();
      expect(Number.isNaN(got.gb[2]) && !Number.isNaN(got.gb[1])).toBe(true);
    });
  });
}

// ------------------------------------------------------------------------------------------- PyTorch fixtures

interface T { shape: number[]; data: Array<number | string> }
interface FixtureCase {
  name: string;
  opts: { stride: number[]; padding: number[] | "same" | "valid"; dilation: number[]; groups: number };
  x: T; weight: T; bias: T | null; y: T; gy: T; gx: T; gweight: T; gbias: T | null; unbatched?: boolean;
}
const num = (t: T) => Float32Array.from(t.data, (e) => (typeof e === "string" ? Number(e) : e));

/** Zero-pads x (N,C,H,W) by (top, bottom, left, right). */
function padInput(x: Float32Array, N: number, C: number, H: number, W: number, t: number, b: number, l: number, r: number) {
  const H2 = H + t + b, W2 = W + l + r;
  const out = new Float32Array(N * C * H2 * W2);
  for (let p = 0; p < N * C; p++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
    out[(p * H2 + i + t) * W2 + j + l] = x[(p * H + i) * W + j];
  }
  return out;
}

const fixtureCases: FixtureCase[] = (() => {
  try {
    return loadFixture<{ cases: FixtureCase[] }>("conv2d.json").cases;
  } catch {
    return []; // fixtures not generated yet
  }
})();

for (const v of VARIANTS) {
  describe(`conv2d kernels vs PyTorch fixtures (${v})`, () => {
    for (const fx of fixtureCases) {
      it(fx.name, () => {
        const xs = fx.unbatched ? [1, ...fx.x.shape] : fx.x.shape;
        const [N, C, H, W] = xs;
        const [O, , KH, KW] = fx.weight.shape;
        const [sh, sw] = fx.opts.stride, [dh, dw] = fx.opts.dilation;
        // 'same': total d(k-1) per axis, left floor(total/2), the odd one extra on the bottom/right. The input
        // is zero-padded explicitly here (the kernels only take symmetric padding) and gx cropped back.
        let pads = [0, 0, 0, 0];
        let ph = 0, pw = 0;
        if (fx.opts.padding === "same") {
          const th = dh * (KH - 1), tw = dw * (KW - 1);
          pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
        } else if (Array.isArray(fx.opts.padding)) [ph, pw] = fx.opts.padding;
        const Hp = H + pads[0] + pads[1], Wp = W + pads[2] + pads[3];
        const g = geom({ N, C, H: Hp, W: Wp, O, KH, KW, sh, sw, ph, pw, dh, dw, G: fx.opts.groups });
        const x = padInput(num(fx.x), N, C, H, W, pads[0], pads[1], pads[2], pads[3]);
        const { nx } = sizes(g);
        const init: Grads = { gx: new Float32Array(nx), gw: new Float32Array(num(fx.weight).length), gb: new Float32Array(O) };
        const got = run(v, g, { x, w: num(fx.weight), b: fx.bias ? num(fx.bias) : null, gy: num(fx.gy) }, init);
        expect(mismatch(got.y, num(fx.y)), "y").toBeNull();
        const gx = new Float32Array(N * C * H * W);
        for (let p = 0; p < N * C; p++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
          gx[(p * H + i) * W + j] = got.gx[(p * Hp + i + pads[0]) * Wp + j + pads[2]];
        }
        expect(mismatch(gx, num(fx.gx)), "gx").toBeNull();
        expect(mismatch(got.gw, num(fx.gweight)), "gweight").toBeNull();
        if (fx.gbias) expect(mismatch(got.gb, num(fx.gbias)), "gbias").toBeNull();
      });
    }
  });
}
