// Property tests of the elementwise kernels (binary with broadcasting, unary, scalar, sums, transposes)
// against naive f64 references over random shapes, both twins; lengths around multiples of 4.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { setKernelVariant, tensor } from "../../src/index.js";
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

describe.each(["f32x4", "scalar"] as const)("elementwise kernels (%s)", (variant) => {
  afterAll(() => setKernelVariant("f32x4"));

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
