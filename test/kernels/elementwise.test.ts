// Property tests of the elementwise kernels (binary with broadcasting, unary, scalar, sums, transposes)
// against naive f64 references over random shapes, both twins; lengths around multiples of 4.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { setKernelVariant, tensor } from "../../src/index.js";
import { unaryBwd, unaryFwd, type UnaryOpName } from "../../src/kernels/elementwise.js";
import { freeAll, getF32, putF32, VARIANTS as TWINS } from "../helpers/wasm_buffers.js";
import { expectClose } from "../helpers/fixtures.js";
import { refBroadcast, refSumDim, refTranspose } from "../reference/elementwise.js";

const dim = fc.integer({ min: 1, max: 9 });
const shapeArb = fc.array(dim, { minLength: 1, maxLength: 5 });
const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 12.9898) * 3);

/** A shape broadcastable to `shape`: a suffix with some dimensions set to 1. */
const broadcastOf = (shape: number[]) =>
  fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
    .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

const ops: [string, (x: number, y: number) => number][] = [
  ["add", (x, y) => x + y], ["sub", (x, y) => x - y], ["mul", (x, y) => x * y], ["div", (x, y) => x / y],
];

describe.each(TWINS)("elementwise kernels (%s)", (variant) => {
  afterAll(() => setKernelVariant(TWINS[0]));

  it.each(ops)("%s with broadcasting matches the reference", (name, f) => {
    setKernelVariant(variant);
    fc.assert(fc.property(shapeArb.chain((s) => fc.tuple(fc.constant(s), broadcastOf(s), fc.boolean(), fc.integer())), ([sa, sb, swap, seed]) => {
      const [s1, s2] = swap ? [sb, sa] : [sa, sb];
      const n1 = s1.reduce((x, y) => x * y, 1), n2 = s2.reduce((x, y) => x * y, 1);
      const a = values(n1, seed), b = values(n2, seed + 1).map((v) => (name === "div" ? v + Math.sign(v || 1) * 0.5 : v));
      const got = (tensor(a, { shape: s1 }) as any)[name](tensor(b, { shape: s2 }));
      const want = refBroadcast(a, s1, b, s2, f);
      expect([...got.shape]).toEqual(want.shape);
      expectClose(got.toFloat32Array(), want.data, name, 1e-6, 1e-6);
    }), { numRuns: 80 });
  });

  it("unary maps and scalar ops on lengths 0..33", () => {
    setKernelVariant(variant);
    for (let n = 1; n <= 33; n++) {
      const a = values(n, n);
      const t = tensor(a);
      expectClose(t.relu().toFloat32Array(), Array.from(a, (v) => Math.max(v, 0)), `relu n=${n}`, 0, 0);
      expectClose(t.neg().toFloat32Array(), Array.from(a, (v) => -v), `neg n=${n}`, 0, 0);
      expectClose(t.abs().toFloat32Array(), Array.from(a, Math.abs), `abs n=${n}`, 0, 0);
      expectClose(t.exp().toFloat32Array(), Array.from(a, Math.exp), `exp n=${n}`, 1e-6, 0);
      expectClose(t.sigmoid().toFloat32Array(), Array.from(a, (v) => 1 / (1 + Math.exp(-v))), `sigmoid n=${n}`, 1e-6, 1e-7);
      expectClose(t.tanh().toFloat32Array(), Array.from(a, Math.tanh), `tanh n=${n}`, 1e-6, 1e-7);
      expectClose(t.pow(2).toFloat32Array(), Array.from(a, (v) => Math.fround(v * v)), `pow2 n=${n}`, 0, 0);
      expectClose(t.mul(2.5).toFloat32Array(), Array.from(a, (v) => Math.fround(v * 2.5)), `mul n=${n}`, 0, 0);
      expectClose(t.div(3).toFloat32Array(), Array.from(a, (v) => Math.fround(v / 3)), `div n=${n}`, 0, 0);
      expectClose(t.sub(1.25).toFloat32Array(), Array.from(a, (v) => Math.fround(v - 1.25)), `sub n=${n}`, 0, 0);
    }
  });

  it("relu keeps NaN and max() propagates NaN, like PyTorch", () => {
    setKernelVariant(variant);
    const t = tensor([1, NaN, -2, 3, -4, 5, NaN, 0, 1]);
    expect(Number.isNaN(t.relu().toFloat32Array()[1])).toBe(true);
    expect(Number.isNaN(t.max().item())).toBe(true);
    expect(tensor([-3, -1, -2]).max().item()).toBe(-1);
  });

  it("sum over every dimension and transposes match the reference", () => {
    setKernelVariant(variant);
    fc.assert(fc.property(shapeArb, fc.integer(), fc.nat(), fc.nat(), (shape, seed, r0, r1) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const a = values(n, seed);
      const t = tensor(a, { shape });
      const d = r0 % shape.length;
      expectClose(t.sum(d, true).toFloat32Array(), refSumDim(a, shape, d), `sum dim ${d}`, 1e-5, 1e-5);
      expectClose([t.sum().item()], [Array.from(a).reduce((x, y) => x + y, 0)], "sum all", 1e-5, 1e-4);
      const d1 = r1 % shape.length;
      expectClose(t.transpose(d, d1).toFloat32Array(), refTranspose(a, shape, d, d1), `transpose ${d},${d1}`, 0, 0);
    }), { numRuns: 80 });
  });
});

// ------------------------------------------------------------------------------------------- transcendentals

/** Distance in units of the last place (of the f32 nearest to `want`) between got and want. */
function ulps(got: number, want: number): number {
  const w = Math.abs(Math.fround(want));
  const bits = new Float32Array([w]);
  new Int32Array(bits.buffer)[0] += 1;
  const ulp = bits[0] - w || 1.4e-45;
  return Math.abs(got - want) / ulp;
}

/** A deterministic spread of f32 inputs: uniform over [lo, hi) and log-spaced magnitudes of both signs. */
function inputs(lo: number, hi: number, n: number): Float32Array {
  let s = 12345;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  return Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? (r() < 0.5 ? -1 : 1) * 2 ** (r() * 40 - 36) : lo + r() * (hi - lo)));
}

function runUnary(x: ArrayLike<number>, op: UnaryOpName): Float32Array {
  const px = putF32(x), py = putF32(new Float32Array(x.length));
  unaryFwd(py, px, x.length, op);
  return getF32(py, x.length);
}

setKernelVariant(TWINS[0]);

describe.each(TWINS)("exp, sigmoid, tanh kernels (%s)", (variant) => {
  afterAll(() => { setKernelVariant(TWINS[0]); freeAll(); });

  // f32x4: the vector exp is within 1 ulp (sigmoid and tanh 2.5), the scalar twins round Mathf/Math results.
  const cases: [UnaryOpName, (v: number) => number, number, number, number][] = [
    ["exp", Math.exp, -103, 88.7, 1], ["sigmoid", (v) => 1 / (1 + Math.exp(-v)), -40, 40, 2.5], ["tanh", Math.tanh, -12, 12, 2.5],
  ];
  it.each(cases)("%s is within its ulp bound of the f64 value over its range", (op, f, lo, hi, bound) => {
    setKernelVariant(variant);
    const x = inputs(lo, hi, 20001);
    const y = runUnary(x, op);
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      const want = f(x[i]);
      if (Math.fround(want) < 1.2e-38 && Math.abs(y[i] - want) <= 1.5e-45) continue; // denormal: absolute
      const e = ulps(y[i], want);
      if (e > worst) { worst = e; at = x[i]; }
    }
    expect(worst, `${op}: ${worst.toFixed(2)} ulp at x = ${at}`).toBeLessThanOrEqual(bound);
    freeAll();
  });

  it("special values: infinities, NaN, overflow, underflow, signed zero, tiny arguments", () => {
    setKernelVariant(variant);
    const x = [-Infinity, Infinity, NaN, 88.8, -104, 0, -0, 1e-30, -1e-30, 1e-40, 100];
    const e = runUnary(x, "exp");
    expect(Array.from(e.slice(0, 8))).toEqual([0, Infinity, NaN, Infinity, 0, 1, 1, 1]);
    const s = runUnary(x, "sigmoid");
    expect(Array.from(s.slice(0, 3))).toEqual([0, 1, NaN]);
    expect([s[5], s[10]]).toEqual([0.5, 1]);
    const t = runUnary(x, "tanh");
    expect(Array.from(t.slice(0, 3))).toEqual([-1, 1, NaN]);
    expect(Object.is(t[5], 0) && Object.is(t[6], -0)).toBe(true);
    expect([t[7], t[8], t[9], t[10]]).toEqual([Math.fround(1e-30), Math.fround(-1e-30), Math.fround(1e-40), 1]);
    // The same values inside a long array (exp and sigmoid go 16 at a time there) give the same bits.
    const long = [...x, ...x, ...x, 1, 2, 3];
    for (const [op, short] of [["exp", e], ["sigmoid", s], ["tanh", t]] as const) {
      const y = runUnary(long, op);
      for (let i = 0; i < long.length - 3; i++) expect(Object.is(y[i], short[i % x.length]), `${op}(${long[i]}) at ${i}`).toBe(true);
    }
    freeAll();
  });

  it("a value gives the same result wherever it sits (16-blocks, 4-blocks and the last n % 4 elements)", () => {
    setKernelVariant(variant);
    for (const op of ["exp", "sigmoid", "tanh"] as UnaryOpName[]) {
      for (const v of [-3.7, 0.31, 5.5, -0.6]) {
        for (let n = 1; n <= 37; n++) {
          const y = runUnary(new Float32Array(n).fill(v), op);
          expect(new Set(y).size, `${op}(${v}) over ${n} elements`).toBe(1);
          expect(y[0]).toBe(runUnary([v, 0, 0, 0], op)[0]);
        }
      }
    }
    freeAll();
  });
});

it("unary backward: the f32x4 twin gives the scalar twin's bits for every op", () => {
  const n = 37;
  const a = inputs(-3, 3, n).map((v) => (v === 0 ? 0.5 : v)), y = inputs(0.1, 0.9, n), g = inputs(-2, 2, n), g0 = inputs(-1, 1, n);
  for (const op of ["neg", "abs", "exp", "log", "relu", "sigmoid", "tanh", "sqrt"] as UnaryOpName[]) {
    const out: Float32Array[] = [];
    for (const variant of ["f32x4", "scalar"] as const) {
      if (!TWINS.includes(variant)) continue;
      setKernelVariant(variant);
      const pga = putF32(g0);
      unaryBwd(pga, putF32(g), putF32(a), putF32(y), n, op);
      out.push(getF32(pga, n));
    }
    if (out.length === 2) expect(Array.from(out[0]), op).toEqual(Array.from(out[1]));
  }
  setKernelVariant(TWINS[0]);
  freeAll();
});
