// conv_transpose2d kernels (assembly/conv_transpose2d.ts) against the naive reference, the adjoint identity with
// conv2d, and PyTorch fixtures, for both kernel twins.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { setKernelVariant } from "../../src/wasm.js";
import {
  conv2dBwdBias, conv2dFwd, convTranspose2dBwdFilter, convTranspose2dBwdInput, convTranspose2dFwd, type ConvGeometry,
} from "../../src/kernels/conv.js";
import { freeAll, putGuarded, readGuarded, VARIANTS } from "../helpers/wasm_buffers.js";
import { loadFixture } from "../helpers/fixtures.js";
import {
  convOutSize, convTransposeOutSize, mismatch, randArray, refBiasGrad, refConvT2dBwdFilter, refConvT2dBwdInput,
  refConvT2dFwd, rng,
} from "../reference/conv.js";

afterEach(() => freeAll());


type Sizes = Omit<ConvGeometry, "OH" | "OW"> & { oph: number; opw: number };
function geom({ oph, opw, ...s }: Sizes): ConvGeometry {
  return {
    ...s,
    OH: convTransposeOutSize(s.H, s.KH, s.sh, s.ph, s.dh, oph),
    OW: convTransposeOutSize(s.W, s.KW, s.sw, s.pw, s.dw, opw),
  };
}
/** x (N,C,H,W), w (C,O/G,KH,KW), y (N,O,OH,OW). */
function sizes(g: ConvGeometry) {
  return { nx: g.N * g.C * g.H * g.W, nw: g.C * (g.O / g.G) * g.KH * g.KW, ny: g.N * g.O * g.OH * g.OW };
}
function plus(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v, i) => v + b[i]);
}

function check(v: Variant, g: ConvGeometry, seed: number, withBias = true, off = seed & 3): void {
  const r = rng(seed);
  const { nx, nw, ny } = sizes(g);
  const x = randArray(nx, r), w = randArray(nw, r), b = withBias ? randArray(g.O, r) : null, gy = randArray(ny, r);
  const gx0 = randArray(nx, r), gw0 = randArray(nw, r), gb0 = randArray(g.O, r);
  setKernelVariant(v);
  const px = putGuarded(x, off), pw = putGuarded(w, (off + 1) & 3), pb = b ? putGuarded(b, (off + 2) & 3) : 0, pgy = putGuarded(gy, (off + 3) & 3);
  const py = putGuarded(new Float32Array(ny).fill(NaN), (off + 2) & 3);
  const pgx = putGuarded(gx0, (off + 1) & 3), pgw = putGuarded(gw0, off), pgb = putGuarded(gb0, (off + 3) & 3);
  convTranspose2dFwd(py, px, pw, pb, g);
  convTranspose2dBwdInput(pgx, pgy, pw, g);
  convTranspose2dBwdFilter(pgw, pgy, px, g);
  conv2dBwdBias(pgb, pgy, g.N, g.O, g.OH * g.OW);
  const where = `${v} ${JSON.stringify(g)}`;
  expect(mismatch(readGuarded(py, ny), refConvT2dFwd(x, w, b, g)), `y ${where}`).toBeNull();
  expect(mismatch(readGuarded(pgx, nx), plus(gx0, refConvT2dBwdInput(gy, w, g))), `gx ${where}`).toBeNull();
  expect(mismatch(readGuarded(pgw, nw), plus(gw0, refConvT2dBwdFilter(gy, x, g))), `gw ${where}`).toBeNull();
  expect(mismatch(readGuarded(pgb, g.O), plus(gb0, refBiasGrad(gy, g.N, g.O, g.OH * g.OW))), `gb ${where}`).toBeNull();
}

const base: Sizes = { N: 1, C: 1, H: 4, W: 4, O: 1, KH: 3, KW: 3, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, G: 1, oph: 0, opw: 0 };
const EDGE_CASES: Array<[string, Sizes]> = [
  ...[3, 4, 5, 7, 8, 9, 12, 13, 16, 17].flatMap((W) => [1, 3].map((K): [string, Sizes] => [
    `width ${W} k${K}`, { ...base, N: 2, C: 3, O: 5, H: 5, W, KH: K, KW: K, ph: K >> 1, pw: K >> 1 },
  ])),
  ["1x1 (pointwise)", { ...base, N: 2, C: 6, O: 9, H: 5, W: 7, KH: 1, KW: 1 }],
  ["1x1 stride 2 output padding 1", { ...base, C: 2, O: 3, H: 3, W: 4, KH: 1, KW: 1, sh: 2, sw: 2, oph: 1, opw: 1 }],
  ["1x1 dilation 2 output padding 1", { ...base, C: 2, O: 3, H: 3, W: 4, KH: 1, KW: 1, dh: 2, dw: 2, oph: 1, opw: 1 }],
  ["1x4 kernel stride 3", { ...base, C: 2, O: 2, H: 4, W: 5, KH: 1, KW: 4, sw: 3 }],
  ["4x1 kernel padding 1", { ...base, C: 2, O: 2, H: 6, W: 3, KH: 4, KW: 1, ph: 1 }],
  ["stride 2 k4 p1 (DCGAN)", { ...base, N: 2, C: 8, O: 4, H: 5, W: 5, KH: 4, KW: 4, sh: 2, sw: 2, ph: 1, pw: 1 }],
  ["stride > kernel (gaps)", { ...base, C: 2, O: 3, H: 3, W: 4, KH: 2, KW: 2, sh: 3, sw: 3, oph: 2, opw: 1 }],
  ["padding crops more than kernel-1", { ...base, C: 2, O: 2, H: 6, W: 7, KH: 2, KW: 3, sh: 3, sw: 3, ph: 3, pw: 4 }],
  ["dilation 3", { ...base, C: 2, O: 2, H: 5, W: 6, dh: 3, dw: 3, ph: 2, pw: 1, oph: 2, opw: 1 }],
  ["depthwise 5", { ...base, C: 5, O: 5, G: 5, H: 6, W: 6, sh: 2, sw: 2, ph: 1, pw: 1, oph: 1, opw: 1 }],
  ["C=O=37 (microkernel tails)", { ...base, N: 2, C: 37, O: 37, H: 7, W: 9, ph: 1, pw: 1 }],
  ["C=130 O=40 (all cache blocks)", { ...base, C: 130, O: 40, H: 12, W: 13, sh: 2, sw: 2, ph: 1, pw: 1, oph: 1, opw: 1 }],
  ["pointwise 270->300 (deep blocks)", { ...base, C: 270, O: 300, H: 5, W: 6, KH: 1, KW: 1 }],
];

/** Random conv_transpose2d geometries (output padding < stride or < dilation, OH and OW >= 1). */
const geometryArb = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), G: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 6 }), og: fc.integer({ min: 1, max: 6 }),
    H: fc.integer({ min: 1, max: 13 }), W: fc.integer({ min: 1, max: 13 }),
    KH: fc.integer({ min: 1, max: 5 }), KW: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }),
    dh: fc.integer({ min: 1, max: 3 }), dw: fc.integer({ min: 1, max: 3 }),
    oph: fc.integer({ min: 0, max: 2 }), opw: fc.integer({ min: 0, max: 2 }),
  })
  .filter((s) => s.cg * s.G <= 6 && s.og * s.G <= 6 && s.oph < Math.max(s.sh, s.dh) && s.opw < Math.max(s.sw, s.dw))
  .map(({ cg, og, ...s }) => geom({ ...s, C: cg * s.G, O: og * s.G }))
  .filter((g) => g.OH >= 1 && g.OW >= 1);

/**
 * <conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for a conv2d geometry g (x (N,C,H,W), w (O,C/G,KH,KW),
 * y (N,O,OH,OW)); the transposed conv maps O channels of OH x OW back to C channels of H x W.
 */
function adjointGap(v: Variant, g: ConvGeometry, seed: number): { lhs: number; rhs: number; scale: number } {
  const r = rng(seed);
  const nx = g.N * g.C * g.H * g.W, nw = g.O * (g.C / g.G) * g.KH * g.KW, ny = g.N * g.O * g.OH * g.OW;
  const x = randArray(nx, r), w = randArray(nw, r), y = randArray(ny, r);
  setKernelVariant(v);
  const px = putGuarded(x, 0), pw = putGuarded(w, 1), py = putGuarded(y, 2);
  const pcx = putGuarded(new Float32Array(ny), 3), pty = putGuarded(new Float32Array(nx), 1);
  conv2dFwd(pcx, px, pw, 0, g);
  const t: ConvGeometry = { ...g, C: g.O, H: g.OH, W: g.OW, O: g.C, OH: g.H, OW: g.W };
  convTranspose2dFwd(pty, py, pw, 0, t);
  const cx = readGuarded(pcx, ny), ty = readGuarded(pty, nx);
  let lhs = 0, rhs = 0, scale = 0;
  for (let i = 0; i < ny; i++) { lhs += cx[i] * y[i]; scale += Math.abs(cx[i] * y[i]); }
  for (let i = 0; i < nx; i++) { rhs += x[i] * ty[i]; scale += Math.abs(x[i] * ty[i]); }
  return { lhs, rhs, scale };
}

const conv2dArb = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), G: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 13 }), W: fc.integer({ min: 1, max: 13 }),
    KH: fc.integer({ min: 1, max: 5 }), KW: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }), pw: fc.integer({ min: 0, max: 3 }),
    dh: fc.integer({ min: 1, max: 3 }), dw: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ cg, og, ...s }) => ({
    ...s, C: cg * s.G, O: og * s.G,
    OH: convOutSize(s.H, s.KH, s.sh, s.ph, s.dh), OW: convOutSize(s.W, s.KW, s.sw, s.pw, s.dw),
  }))
  .filter((g) => g.OH >= 1 && g.OW >= 1);

for (const v of VARIANTS) {
  describe(`conv_transpose2d kernels (${v})`, () => {
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
      it(`edge case: ${name}`, () => check(v, geom(s), name.length * 104729, true));
    }

    it("adjoint identity <conv2d(x,w), y> = <x, conv_transpose2d(y,w)> on random geometries", () => {
      fc.assert(
        fc.property(conv2dArb, fc.integer({ min: 0, max: 2 ** 30 }), (g, seed) => {
          const { lhs, rhs, scale } = adjointGap(v, g, seed);
          freeAll();
          return Math.abs(lhs - rhs) <= 1e-5 * (1 + scale);
        }),
        { numRuns: 150 },
      );
    });

    it("backward accumulates (twice = 2x) and forward overwrites", () => {
      const g = geom({ ...base, N: 2, C: 4, O: 6, H: 5, W: 6, sh: 2, sw: 2, ph: 1, pw: 1, oph: 1, opw: 0, G: 2 });
      const { nx, nw, ny } = sizes(g);
      const r = rng(3);
      const x = randArray(nx, r), w = randArray(nw, r), gy = randArray(ny, r);
      setKernelVariant(v);
      const px = putGuarded(x, 1), pw = putGuarded(w, 2), pgy = putGuarded(gy, 3), py = putGuarded(new Float32Array(ny).fill(NaN), 0);
      const pgx = putGuarded(new Float32Array(nx), 0), pgw = putGuarded(new Float32Array(nw), 0);
      for (let t = 0; t < 2; t++) {
        convTranspose2dFwd(py, px, pw, 0, g);
        convTranspose2dBwdInput(pgx, pgy, pw, g);
        convTranspose2dBwdFilter(pgw, pgy, px, g);
      }
      expect(mismatch(readGuarded(py, ny), refConvT2dFwd(x, w, null, g))).toBeNull();
      expect(mismatch(readGuarded(pgx, nx), refConvT2dBwdInput(gy, w, g).map((e) => 2 * e))).toBeNull();
      expect(mismatch(readGuarded(pgw, nw), refConvT2dBwdFilter(gy, x, g).map((e) => 2 * e))).toBeNull();
    });

    it("NaN in x spreads to exactly the outputs it reaches", () => {
      const g = geom({ ...base, C: 2, O: 3, H: 5, W: 5, sh: 2, sw: 2, ph: 1, pw: 1 });
      const { nx, nw, ny } = sizes(g);
      const r = rng(9);
      const x = randArray(nx, r), w = randArray(nw, r);
      x[25 + 2 * 5 + 3] = NaN;
      setKernelVariant(v);
      const py = putGuarded(new Float32Array(ny), 0);
      convTranspose2dFwd(py, putGuarded(x, 1), putGuarded(w, 2), 0, g);
      const want = refConvT2dFwd(x, w, null, g);
      expect(want.some(Number.isNaN) && !want.every(Number.isNaN)).toBe(true);
      expect(mismatch(readGuarded(py, ny), want)).toBeNull();
    });
  });
}

// ------------------------------------------------------------------------------------------- PyTorch fixtures

interface T { shape: number[]; data: Array<number | string> }
interface FixtureCase {
  name: string;
  opts: { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number };
  x: T; weight: T; bias: T | null; y: T; gy: T; gx: T; gweight: T; gbias: T | null; unbatched?: boolean;
}
const num = (t: T) => Float32Array.from(t.data, (e) => (typeof e === "string" ? Number(e) : e));
const fixtureCases: FixtureCase[] = (() => {
  try {
    return loadFixture<{ cases: FixtureCase[] }>("conv_transpose2d.json").cases;
  } catch {
    return []; // fixtures not generated yet
  }
})();

for (const v of VARIANTS) {
  describe(`conv_transpose2d kernels vs PyTorch fixtures (${v})`, () => {
    for (const fx of fixtureCases) {
      it(fx.name, () => {
        const [N, C, H, W] = fx.unbatched ? [1, ...fx.x.shape] : fx.x.shape;
        const [, og, KH, KW] = fx.weight.shape;
        const G = fx.opts.groups;
        const [sh, sw] = fx.opts.stride, [ph, pw] = fx.opts.padding, [dh, dw] = fx.opts.dilation;
        const [oph, opw] = fx.opts.outputPadding;
        const g = geom({ N, C, H, W, O: og * G, KH, KW, sh, sw, ph, pw, dh, dw, G, oph, opw });
        const { nx, nw, ny } = sizes(g);
        setKernelVariant(v);
        const px = putGuarded(num(fx.x), 1), pw_ = putGuarded(num(fx.weight), 2), pgy = putGuarded(num(fx.gy), 3);
        const pb = fx.bias ? putGuarded(num(fx.bias), 0) : 0;
        const py = putGuarded(new Float32Array(ny), 0), pgx = putGuarded(new Float32Array(nx), 1);
        const pgw = putGuarded(new Float32Array(nw), 2), pgb = putGuarded(new Float32Array(g.O), 3);
        convTranspose2dFwd(py, px, pw_, pb, g);
        convTranspose2dBwdInput(pgx, pgy, pw_, g);
        convTranspose2dBwdFilter(pgw, pgy, px, g);
        conv2dBwdBias(pgb, pgy, N, g.O, g.OH * g.OW);
        expect(mismatch(readGuarded(py, ny), num(fx.y)), "y").toBeNull();
        expect(mismatch(readGuarded(pgx, nx), num(fx.gx)), "gx").toBeNull();
        expect(mismatch(readGuarded(pgw, nw), num(fx.gweight)), "gweight").toBeNull();
        if (fx.gbias) expect(mismatch(readGuarded(pgb, g.O), num(fx.gbias)), "gbias").toBeNull();
      });
    }
  });
}
