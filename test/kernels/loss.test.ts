// Cross-entropy kernels (assembly/loss.ts) against a naive f64 reference and finite differences, both twins.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { heapF32, setKernelVariant } from "../../src/wasm.js";
import { crossEntropyBwd, crossEntropyFwd } from "../../src/kernels/loss.js";
import { freeAll, getF32, putI32, VARIANTS, zerosPtr } from "../helpers/wasm_buffers.js";

afterEach(() => freeAll());

/** f32 data at a pointer offset by `off` floats (unaligned for SIMD). */
function put(data: ArrayLike<number>, off = 0): number {
  const base = zerosPtr(data.length + off);
  heapF32().set(data, (base >> 2) + off);
  return base + off * 4;
}

/** Naive f64 log-softmax of each row: x - (m + log(sum(exp(x - m)))). */
function refLogSoftmax(x: ArrayLike<number>, N: number, K: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    const row = Array.from({ length: K }, (_, k) => x[n * K + k]);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (const v of row) out.push(v - lse);
  }
  return out;
}
function refLoss(x: ArrayLike<number>, t: number[], N: number, K: number): number[] {
  const lp = refLogSoftmax(x, N, K);
  return t.map((tn, n) => -lp[n * K + tn]);
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Problem { N: number; K: number; x: number[]; t: number[]; gl: number[] }
const problemArb = fc.record({
  N: fc.integer({ min: 1, max: 6 }), K: fc.integer({ min: 1, max: 37 }),
  scale: fc.constantFrom(1, 5, 30), shift: fc.constantFrom(0, 1000, -1000, 80),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
}).map(({ N, K, scale, shift, seed }): Problem => {
  const r = rng(seed);
  return {
    N, K,
    x: Array.from({ length: N * K }, () => Math.fround(shift + (r() * 2 - 1) * scale)),
    t: Array.from({ length: N }, () => Math.floor(r() * K)),
    gl: Array.from({ length: N }, () => Math.fround(r() * 2 - 0.5)),
  };
});

function runFwd(p: Problem, off = 0): { loss: Float32Array; logp: Float32Array; logpPtr: number; tPtr: number } {
  const lossPtr = put(new Array(p.N).fill(9), off);
  const logpPtr = put(new Array(p.N * p.K).fill(9), off);
  const tPtr = putI32(p.t);
  crossEntropyFwd(lossPtr, logpPtr, put(p.x, off), tPtr, p.N, p.K);
  return { loss: getF32(lossPtr, p.N), logp: getF32(logpPtr, p.N * p.K), logpPtr, tPtr };
}

for (const variant of VARIANTS) {
  describe(`cross-entropy kernels (${variant})`, () => {
    const use = () => setKernelVariant(variant);

    it("forward matches the f64 reference (loss and saved log-softmax), large logits included", () => {
      use();
      fc.assert(fc.property(problemArb, fc.integer({ min: 0, max: 3 }), (p, off) => {
        const r = runFwd(p, off);
        // f32 logits around +-1000 keep ~6e-5 absolute resolution; compare relative to the logit scale
        const scale = Math.max(1, ...p.x.map(Math.abs)) * 1e-6;
        expectClose(r.loss, refLoss(p.x, p.t, p.N, p.K), "loss", 1e-5 + scale);
        expectClose(r.logp, refLogSoftmax(p.x, p.N, p.K), "logp", 1e-5 + scale);
        freeAll();
      }), { numRuns: 200 });
    });

    it("is numerically stable: logits of +-1000 give finite, exact losses", () => {
      use();
      const p = { N: 3, K: 3, x: [1000, 0, -1000, 1000, 1000, 1000, -1000, -1000, -999], t: [1, 2, 2], gl: [] };
      const r = runFwd(p);
      expect(r.loss[0]).toBe(1000);
      expectClose(r.loss, [1000, Math.log(3), Math.log(1 + 2 * Math.exp(-1))], "loss", 1e-7);
      expect(r.logp.every(Number.isFinite)).toBe(true);
    });

    it("backward matches gloss * (softmax - onehot) and accumulates", () => {
      use();
      fc.assert(fc.property(problemArb, (p) => {
        const r = runFwd(p);
        const g0 = p.x.map((_, i) => Math.fround(Math.sin(i)));
        const gPtr = put(g0);
        const glPtr = put(p.gl);
        crossEntropyBwd(gPtr, glPtr, r.logpPtr, r.tPtr, p.N, p.K);
        const lp = refLogSoftmax(p.x, p.N, p.K);
        const want = g0.map((g, i) => {
          const n = Math.floor(i / p.K);
          return g + p.gl[n] * (Math.exp(lp[i]) - (i % p.K === p.t[n] ? 1 : 0));
        });
        expectClose(getF32(gPtr, g0.length), want, "glogits");
        crossEntropyBwd(gPtr, glPtr, r.logpPtr, r.tPtr, p.N, p.K);
        expectClose(getF32(gPtr, g0.length), want.map((w, i) => 2 * w - g0[i]), "glogits after two calls");
        freeAll();
      }), { numRuns: 150 });
    });

    it("gradient agrees with central finite differences of the f64 loss", () => {
      use();
      const p: Problem = { N: 2, K: 7, x: [], t: [3, 6], gl: [0.5, -1.25] };
      const r = rng(7);
      p.x = Array.from({ length: 14 }, () => Math.fround(r() * 6 - 3));
      const f = (x: number[]) => refLoss(x, p.t, p.N, p.K).reduce((s, l, n) => s + p.gl[n] * l, 0);
      const fw = runFwd(p);
      const gPtr = zerosPtr(14);
      crossEntropyBwd(gPtr, put(p.gl), fw.logpPtr, fw.tPtr, p.N, p.K);
      const got = getF32(gPtr, 14);
      const h = 1e-5;
      const fd = p.x.map((_, i) => {
        const a = p.x.slice();
        const b = p.x.slice();
        a[i] += h;
        b[i] -= h;
        return (f(a) - f(b)) / (2 * h);
      });
      expectClose(got, fd, "glogits vs finite differences", 1e-5);
    });
  });
}

describe.skipIf(VARIANTS.length < 2)("cross-entropy twins", () => {
  it("f32x4 and scalar agree bit for bit", () => {
    fc.assert(fc.property(problemArb, (p) => {
      const out: Float32Array[][] = [];
      for (const v of VARIANTS) {
        setKernelVariant(v);
        const r = runFwd(p);
        const gPtr = zerosPtr(p.N * p.K);
        crossEntropyBwd(gPtr, put(p.gl), r.logpPtr, r.tPtr, p.N, p.K);
        out.push([r.loss, r.logp, getF32(gPtr, p.N * p.K)]);
      }
      for (let j = 0; j < 3; j++) expect(Array.from(out[0][j])).toEqual(Array.from(out[1][j]));
      freeAll();
    }), { numRuns: 100 });
  });
});
