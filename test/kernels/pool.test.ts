// Pooling kernels (assembly/pool.ts) against the naive reference (test/reference/pool.ts) and PyTorch fixtures,
// for both kernel twins.
import { readFileSync, existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { heapF32, setKernelVariant } from "../../src/wasm.js";
import {
  avgPool2dBwd, avgPool2dFwd, maxPool2dBwd, maxPool2dFwd, maxPool2dFwdValues, type PoolGeometry,
} from "../../src/kernels/pool.js";
import { freeAll, getF32, getI32, putF32, putI32, VARIANTS, zerosPtr } from "../helpers/wasm_buffers.js";
import {
  geometry, poolOutSize, refAvgPoolBwd, refAvgPoolFwd, refMaxPoolBwd, refMaxPoolFwd,
} from "../reference/pool.js";
import { rng } from "../reference/conv.js";

const GUARD = 4; // sentinel floats after every output buffer
const SENTINEL = 12345.5;

afterEach(() => freeAll());

// ------------------------------------------------------------------------------------------- buffers

/** Puts data at a pointer offset by `off` floats (0..3) so kernels see unaligned (4-byte) pointers. */
function put(data: ArrayLike<number>, off = 0, guard = false): number {
  const n = data.length;
  const base = zerosPtr(n + off + GUARD);
  const heap = heapF32();
  heap.set(data, (base >> 2) + off);
  if (guard) heap.fill(SENTINEL, (base >> 2) + off + n, (base >> 2) + off + n + GUARD);
  return base + off * 4;
}
function guardIntact(ptr: number, n: number): boolean {
  return Array.from(getF32(ptr + n * 4, GUARD)).every((v) => v === SENTINEL);
}

// ------------------------------------------------------------------------------------------- compare

function f32(a: ArrayLike<number>): number[] {
  return Array.from(a, (v) => Math.fround(v));
}
function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : got[i] === want[i];
    if (!ok) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}
/** Bit-level equality of floats as far as JS can tell: Object.is tells -0 from +0 (and any NaN equals NaN). */
function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: got ${Object.is(got[i], -0) ? "-0" : got[i]}, want ${Object.is(want[i], -0) ? "-0" : want[i]}`);
  }
}
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g)
      : !Number.isFinite(w) ? g === w
      : Math.abs(g - w) <= tol * (1 + Math.abs(w));
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, want ${w}`);
  }
}

// ------------------------------------------------------------------------------------------- random data

type Kind = "normal" | "negative" | "ties" | "special" | "neginf" | "zeros";
function makeData(n: number, kind: Kind, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    switch (kind) {
      case "normal": return Math.fround(r() * 20 - 10);
      case "negative": return Math.fround(-1 - r() * 100);
      case "ties": return Math.floor(r() * 3) - 1;
      case "special": {
        const u = r();
        return u < 0.12 ? NaN : u < 0.3 ? -Infinity : u < 0.35 ? Infinity : Math.floor(r() * 4);
      }
      case "neginf": return r() < 0.85 ? -Infinity : Math.floor(r() * 2); // whole windows of -inf
      case "zeros": { // maxima tied between +0 and -0: the first in scan order decides the sign
        const u = r();
        return u < 0.4 ? 0 : u < 0.8 ? -0 : u < 0.95 ? -1 : 1;
      }

    }
  });
}

// ------------------------------------------------------------------------------------------- arbitraries

interface Case {
  g: PoolGeometry; kind: Kind; seed: number; off: number; cip: boolean; ovr: number | null;
}
function caseArb(isMax: boolean, maxW = 13): fc.Arbitrary<Case> {
  return fc.record({
    P: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 13 }), W: fc.integer({ min: 1, max: maxW }),
    KH: fc.integer({ min: 1, max: 4 }), KW: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    dh: isMax ? fc.integer({ min: 1, max: 3 }) : fc.constant(1),
    dw: isMax ? fc.integer({ min: 1, max: 3 }) : fc.constant(1),
    ceil: fc.boolean(), fh: fc.double({ min: 0, max: 1, noNaN: true }), fw: fc.double({ min: 0, max: 1, noNaN: true }),
    kind: fc.constantFrom<Kind>("normal", "negative", "ties", "special", "neginf", "zeros"),
    seed: fc.integer({ min: 0, max: 0x7fffffff }), off: fc.integer({ min: 0, max: 3 }),
    cip: fc.boolean(), ovr: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  }).map((r) => {
    // padding 0..floor(effective kernel / 2), PyTorch's limit
    const ph = Math.floor(r.fh * (Math.floor(((r.KH - 1) * r.dh + 1) / 2) + 1) * 0.9999);
    const pw = Math.floor(r.fw * (Math.floor(((r.KW - 1) * r.dw + 1) / 2) + 1) * 0.9999);
    const g = geometry(r.P, r.H, r.W, [r.KH, r.KW], [r.sh, r.sw], [ph, pw], [r.dh, r.dw], r.ceil);
    return { g, kind: r.kind, seed: r.seed, off: r.off, cip: r.cip, ovr: r.ovr };
  }).filter((c) => c.g.OH >= 1 && c.g.OW >= 1);
}

/** 2x2 stride-2 pooling whose windows tile the planes exactly (H = 2*OH, W = 2*OW, no padding). */
const tiledArb: fc.Arbitrary<Case> = fc.record({
  P: fc.integer({ min: 1, max: 5 }), OH: fc.integer({ min: 1, max: 6 }), OW: fc.integer({ min: 1, max: 17 }),
  ceil: fc.boolean(), kind: fc.constantFrom<Kind>("normal", "negative", "ties", "special", "neginf", "zeros"),
  seed: fc.integer({ min: 0, max: 0x7fffffff }), off: fc.integer({ min: 0, max: 3 }),
  cip: fc.boolean(), ovr: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
}).map((r) => ({
  g: geometry(r.P, 2 * r.OH, 2 * r.OW, [2, 2], [2, 2], [0, 0], [1, 1], r.ceil), kind: r.kind, seed: r.seed, off: r.off, cip: r.cip, ovr: r.ovr,
}));

// ------------------------------------------------------------------------------------------- runners

function runMaxFwd(x: number[], g: PoolGeometry, off = 0): { y: Float32Array; idx: Int32Array; guards: boolean } {
  const no = g.P * g.OH * g.OW;
  const xp = put(x, off);
  const yp = put(new Array(no).fill(7), off, true);
  const ip = put(new Array(no).fill(7), off, true);
  maxPool2dFwd(yp, ip, xp, g);
  return { y: getF32(yp, no), idx: getI32(ip, no), guards: guardIntact(yp, no) && guardIntact(ip, no) };
}
function runAvgFwd(x: number[], g: PoolGeometry, cip: boolean, ovr: number | null, off = 0) {
  const no = g.P * g.OH * g.OW;
  const xp = put(x, off);
  const yp = put(new Array(no).fill(7), off, true);
  avgPool2dFwd(yp, xp, g, cip, ovr);
  return { y: getF32(yp, no), guards: guardIntact(yp, no) };
}

/** A gradient buffer full of NaN, for the overwrite mode (which must never read it). */
function garbage(n: number, off: number): number {
  return put(new Array(n).fill(NaN), off, true);
}

function checkMax(c: Case): void {
  const { g } = c;
  const x = makeData(g.P * g.H * g.W, c.kind, c.seed);
  const ref = refMaxPoolFwd(x, g);
  const got = runMaxFwd(x, g, c.off);
  expectSameBits(got.y, ref.y, "y");
  expectExact(got.idx, ref.idx, "idx");
  expect(got.guards, "no write past y / idx").toBe(true);
  const no = g.P * g.OH * g.OW;
  const yv = put(new Array(no).fill(7), c.off, true);
  maxPool2dFwdValues(yv, put(x, c.off), g);
  expectSameBits(getF32(yv, no), ref.y, "y (values only)");
  expect(guardIntact(yv, no), "no write past y (values only)").toBe(true);
  // backward onto a non-zero gradient (accumulation), with the reference's own indices
  const gy = makeData(no, "normal", c.seed + 1);
  const gx0 = makeData(g.P * g.H * g.W, "normal", c.seed + 2);
  const gxp = put(gx0, c.off, true);
  const gyp = put(gy, c.off), ip = putI32(ref.idx);
  maxPool2dBwd(gxp, gyp, ip, g);
  expectClose(getF32(gxp, gx0.length), refMaxPoolBwd(gx0, gy, ref.idx, g), "gx");
  expect(guardIntact(gxp, gx0.length), "no write past gx").toBe(true);
  // overwrite mode: exactly what accumulating into zeros gives, whatever the buffer held
  const n = gx0.length;
  const gxz = put(new Array(n).fill(0), c.off);
  maxPool2dBwd(gxz, gyp, ip, g);
  const gxo = garbage(n, c.off);
  maxPool2dBwd(gxo, gyp, ip, g, true);
  expectSameBits(getF32(gxo, n), getF32(gxz, n), "gx (overwrite)");
  expect(guardIntact(gxo, n), "no write past gx (overwrite)").toBe(true);
}

/**
 * Max pool backward in overwrite mode against accumulation into +0 (PyTorch's order, bit for bit), with
 * gradients of any kind (NaN, infinities, -0) and inputs whose ties make several outputs choose one element.
 */
function checkMaxBwdOverwrite(g: PoolGeometry, xKind: Kind, gyKind: Kind, seed: number, off: number): void {
  const x = makeData(g.P * g.H * g.W, xKind, seed);
  const { idx } = refMaxPoolFwd(x, g);
  const n = g.P * g.H * g.W;
  const gy = makeData(g.P * g.OH * g.OW, gyKind, seed + 1);
  const gyp = put(gy, off), ip = putI32(idx);
  const gxz = put(new Array(n).fill(0), off);
  maxPool2dBwd(gxz, gyp, ip, g);
  const want = getF32(gxz, n);
  const gxo = garbage(n, off);
  maxPool2dBwd(gxo, gyp, ip, g, true);
  const what = `gx (overwrite) ${g.H}x${g.W} k${g.KH}x${g.KW} s${g.sh} p${g.ph} -> ${g.OH}x${g.OW} x ${xKind} gy ${gyKind}`;
  expectSameBits(getF32(gxo, n), want, what);
  expect(guardIntact(gxo, n), `no write past ${what}`).toBe(true);
  if (gyKind === "normal") expectClose(want, refMaxPoolBwd(new Array(n).fill(0), gy, idx, g), `${what} vs reference`);
}

function checkAvg(c: Case): void {
  const { g } = c;
  const x = makeData(g.P * g.H * g.W, c.kind, c.seed);
  const got = runAvgFwd(x, g, c.cip, c.ovr, c.off);
  expectClose(got.y, refAvgPoolFwd(x, g, c.cip, c.ovr), "y");
  expect(got.guards, "no write past y").toBe(true);
  const gy = makeData(g.P * g.OH * g.OW, "normal", c.seed + 1);
  const gx0 = makeData(g.P * g.H * g.W, "normal", c.seed + 2);
  const gxp = put(gx0, c.off, true);
  const gyp = put(gy, c.off);
  avgPool2dBwd(gxp, gyp, g, c.cip, c.ovr);
  expectClose(getF32(gxp, gx0.length), refAvgPoolBwd(gx0, gy, g, c.cip, c.ovr), "gx");
  expect(guardIntact(gxp, gx0.length), "no write past gx").toBe(true);
  const n = gx0.length;
  const gxz = put(new Array(n).fill(0), c.off);
  avgPool2dBwd(gxz, gyp, g, c.cip, c.ovr);
  const gxo = garbage(n, c.off);
  avgPool2dBwd(gxo, gyp, g, c.cip, c.ovr, true);
  expectSameBits(getF32(gxo, n), getF32(gxz, n), "gx (overwrite)");
  expect(guardIntact(gxo, n), "no write past gx (overwrite)").toBe(true);
}

const d2l16 = Array.from({ length: 16 }, (_, i) => i);
const d2l9 = Array.from({ length: 9 }, (_, i) => i);

for (const variant of VARIANTS) {
  describe(`pool kernels (${variant})`, () => {
    const use = () => setKernelVariant(variant);

    it("max pool: random geometries and inputs vs reference (values, indices, gradient)", () => {
      use();
      fc.assert(fc.property(caseArb(true), (c) => { checkMax(c); freeAll(); }), { numRuns: 400 });
    });
    it("max pool: wide rows (SIMD groups for strides 1..3, dilation)", () => {
      use();
      fc.assert(fc.property(caseArb(true, 41), (c) => { checkMax(c); freeAll(); }), { numRuns: 150 });
    });
    it("avg pool: random geometries and inputs vs reference (all divisor rules)", () => {
      use();
      fc.assert(fc.property(caseArb(false), (c) => { checkAvg(c); freeAll(); }), { numRuns: 400 });
    });
    it("avg pool: wide rows", () => {
      use();
      fc.assert(fc.property(caseArb(false, 41), (c) => { checkAvg(c); freeAll(); }), { numRuns: 150 });
    });
    it("avg pool: 2x2 stride-2 windows tiling the planes (the row-pair stream path), widths 2..34", () => {
      use();
      fc.assert(fc.property(tiledArb, (c) => { checkAvg(c); freeAll(); }), { numRuns: 200 });
    });

    it("d2l numbers", () => {
      use();
      const mp = (x: number[], H: number, W: number, k: [number, number], s: [number, number], p: [number, number]) =>
        Array.from(runMaxFwd(x, geometry(1, H, W, k, s, p, [1, 1], false)).y);
      expect(mp(d2l16, 4, 4, [3, 3], [3, 3], [0, 0])).toEqual([10]);
      expect(mp(d2l16, 4, 4, [3, 3], [2, 2], [1, 1])).toEqual([5, 7, 13, 15]);
      expect(mp(d2l16, 4, 4, [2, 3], [2, 3], [0, 1])).toEqual([5, 7, 13, 15]);
      expect(mp(d2l9, 3, 3, [2, 2], [1, 1], [0, 0])).toEqual([4, 5, 7, 8]);
      const g = geometry(1, 3, 3, [2, 2], [1, 1], [0, 0], [1, 1], false);
      expect(Array.from(runAvgFwd(d2l9, g, true, null).y)).toEqual([2, 3, 5, 6]);
    });

    it("avg pool H=5, k=2, s=2, ceil: three outputs, the last divides by 1", () => {
      use();
      const g = geometry(1, 5, 5, [2, 2], [2, 2], [0, 0], [1, 1], true);
      expect([g.OH, g.OW]).toEqual([3, 3]);
      const x = Array.from({ length: 25 }, (_, i) => i);
      const y = Array.from(runAvgFwd(x, g, true, null).y);
      expect(y[8]).toBe(24); // window {(4,4)}, pool_size 1 although count_include_pad
      expect(y[2]).toBe((4 + 9) / 2);
      expect(y[0]).toBe((0 + 1 + 5 + 6) / 4);
    });

    it("widths 3..17 around multiples of 4, several geometries", () => {
      use();
      const geoms: Array<[[number, number], [number, number], [number, number], [number, number], boolean]> = [
        [[3, 3], [2, 2], [1, 1], [1, 1], false], [[2, 2], [2, 2], [0, 0], [1, 1], false],
        [[3, 3], [1, 1], [1, 1], [1, 1], false], [[2, 2], [1, 1], [0, 0], [1, 1], true],
        [[3, 3], [3, 3], [1, 1], [1, 1], true], [[3, 3], [1, 2], [1, 1], [2, 2], true],
      ];
      for (const W of [3, 4, 5, 7, 8, 9, 12, 13, 16, 17]) {
        for (const [k, s, p, d, ceil] of geoms) {
          for (const kind of ["normal", "ties", "special", "neginf", "zeros"] as Kind[]) {
            const g = geometry(2, 6, W, k, s, p, d, ceil);
            if (g.OH < 1 || g.OW < 1) continue;
            checkMax({ g, kind, seed: W * 31 + k[0], off: W % 4, cip: true, ovr: null });
            const ga = geometry(2, 6, W, k, s, p, [1, 1], ceil);
            if (ga.OH >= 1 && ga.OW >= 1) {
              for (const cip of [true, false]) checkAvg({ g: ga, kind, seed: W, off: 0, cip, ovr: null });
              checkAvg({ g: ga, kind, seed: W, off: 1, cip: true, ovr: 3 });
            }
            freeAll();
          }
        }
      }
    });

    it("3- and 2-wide stride-2 windows (the separable path): widths 8..40, clipped rows, every kind of data", () => {
      use();
      const geoms: Array<[[number, number], [number, number], boolean]> = [
        [[3, 3], [1, 1], false], [[3, 3], [1, 1], true], [[3, 3], [0, 0], false], [[3, 3], [0, 1], true],
        [[2, 2], [0, 0], false], [[2, 2], [1, 1], true], [[3, 2], [1, 0], false], [[2, 3], [1, 1], false],
      ];
      for (let W = 8; W <= 40; W++) {
        for (const [k, p, ceil] of geoms) {
          for (const kind of ["normal", "ties", "special", "neginf", "zeros"] as Kind[]) {
            const g = geometry(2, 5 + (W % 3), W, k, [2, 2], p, [1, 1], ceil);
            checkMax({ g, kind, seed: W * 7 + k[0] + p[1], off: W % 4, cip: true, ovr: null });
            freeAll();
          }
        }
      }
    });

    it("max pool backward, 3x3 s2 p1 (gx built row by row): widths 1..41, heights 1..10, ceil, any gradient", () => {
      use();
      // Widths around multiples of 8 (gx columns per SIMD group) and odd widths (a scalar last column),
      // heights with and without a last output row of their own (ceil mode), several planes.
      let seed = 1;
      for (let W = 1; W <= 41; W++) {
        for (const H of [1, 2, 3, 4, 5, 8, 9, 10]) {
          for (const ceil of [false, true]) {
            const g = geometry(2, H, W, [3, 3], [2, 2], [1, 1], [1, 1], ceil);
            const xKind = (["ties", "zeros", "normal", "neginf", "special"] as Kind[])[seed % 5];
            for (const gyKind of ["normal", "zeros", "special"] as Kind[]) checkMaxBwdOverwrite(g, xKind, gyKind, seed++, W % 4);
            freeAll();
          }
        }
      }
    });

    it("max pool backward overwrite: other geometries keep the scatter", () => {
      use();
      for (const [k, s, p] of [[3, 2, 0], [2, 2, 0], [3, 1, 1], [3, 2, 1]] as const) {
        for (const d of [1, 2]) {
          const g = geometry(3, 11, 37, [k, k], [s, s], [p, p], [d, d], true);
          for (const gyKind of ["normal", "zeros", "special"] as Kind[]) checkMaxBwdOverwrite(g, "ties", gyKind, k * 10 + d, 1);
          freeAll();
        }
      }
    });

    it("a single NaN anywhere in the plane is found (3x3 s2 p1 and 2x2 s2)", () => {
      use();
      for (const [k, p] of [[3, 1], [2, 0]]) {
        const g = geometry(1, 7, 22, [k, k], [2, 2], [p, p], [1, 1], false);
        for (let i = 0; i < g.H * g.W; i++) {
          const x = makeData(g.H * g.W, "normal", i);
          x[i] = NaN;
          const ref = refMaxPoolFwd(x, g);
          const got = runMaxFwd(x, g, 1);
          expectSameBits(got.y, ref.y, `y (NaN at ${i})`);
          expectExact(got.idx, ref.idx, `idx (NaN at ${i})`);
          const yv = put(new Array(ref.y.length).fill(7));
          maxPool2dFwdValues(yv, put(x), g);
          expectSameBits(getF32(yv, ref.y.length), ref.y, `y values only (NaN at ${i})`);
          freeAll();
        }
      }
    });

    it("PyTorch rules: ties keep the first, NaN keeps the last NaN, all -inf keeps the first in-bounds", () => {
      use();
      const g = geometry(1, 2, 8, [2, 2], [2, 2], [0, 0], [1, 1], false);
      const x = [1, 1, NaN, 0, -Infinity, -Infinity, 5, NaN,
                 1, 1, 0, NaN, -Infinity, -Infinity, NaN, 9];
      const r = runMaxFwd(x, g);
      expectExact(r.y, [1, NaN, -Infinity, NaN], "y");
      expectExact(r.idx, [0, 11, 4, 14], "idx");
      // a window clipped by padding whose in-bounds elements are all -inf: index of its first in-bounds element
      const gp = geometry(1, 3, 3, [2, 2], [2, 2], [1, 1], [1, 1], false);
      const rp = runMaxFwd(new Array(9).fill(-Infinity), gp);
      expectExact(rp.idx, [0, 1, 3, 4 + 0], "idx (padding)");
      // the same on rows wide enough for SIMD groups, left/right borders clipped, with dilation too
      for (const [k, s, p, d] of [[3, 2, 1, 1], [2, 1, 1, 1], [3, 1, 1, 1], [2, 2, 1, 1], [3, 2, 2, 2], [4, 3, 2, 1]]) {
        const gw = geometry(2, 5, 21, [k, k], [s, s], [p, p], [d, d], true);
        const xw = new Array(gw.P * gw.H * gw.W).fill(-Infinity);
        const rw = runMaxFwd(xw, gw);
        const ref = refMaxPoolFwd(xw, gw);
        expectExact(rw.y, ref.y, `y all -inf k${k} s${s} p${p} d${d}`);
        expectExact(rw.idx, ref.idx, `idx all -inf k${k} s${s} p${p} d${d}`);
      }
    });

    it("backward kernels accumulate: two calls give twice the gradient", () => {
      use();
      const g = geometry(2, 9, 13, [3, 3], [2, 2], [1, 1], [1, 1], true);
      const x = makeData(g.P * g.H * g.W, "normal", 5);
      const gy = makeData(g.P * g.OH * g.OW, "normal", 6);
      const n = g.P * g.H * g.W;
      const { idx } = runMaxFwd(x, g);
      const gxm = zerosPtr(n);
      const gyp = putF32(gy);
      const ip = putI32(idx);
      maxPool2dBwd(gxm, gyp, ip, g);
      const once = getF32(gxm, n);
      maxPool2dBwd(gxm, gyp, ip, g);
      expectClose(getF32(gxm, n), Array.from(once, (v) => v * 2), "max gx x2");
      const gxa = zerosPtr(n);
      avgPool2dBwd(gxa, gyp, g, false, null);
      const onceA = getF32(gxa, n);
      avgPool2dBwd(gxa, gyp, g, false, null);
      expectClose(getF32(gxa, n), Array.from(onceA, (v) => v * 2), "avg gx x2");
      expect(onceA.some((v) => v !== 0)).toBe(true);
    });
  });
}

// ------------------------------------------------------------------------------------------- PyTorch fixtures

type Num = number | string;
interface FixtureCase {
  name: string;
  opts: { kernelSize: number[]; stride: number[]; padding: number[]; dilation?: number[]; ceilMode: boolean;
    countIncludePad?: boolean; divisorOverride?: number | null };
  x: { shape: number[]; data: Num[] }; y: { shape: number[]; data: Num[] };
  indices?: { shape: number[]; data: number[] }; gy: { shape: number[]; data: Num[] }; gx: { shape: number[]; data: Num[] };
  unbatched?: boolean;
}
const num = (v: Num): number => (typeof v === "number" ? v : Number(v)); // "NaN", "Infinity", "-Infinity"

function fixtureGeometry(c: FixtureCase): PoolGeometry {
  const s = c.x.shape;
  const P = s.slice(0, -2).reduce((a, b) => a * b, 1);
  const [H, W] = s.slice(-2);
  const o = c.opts;
  const d = o.dilation ?? [1, 1];
  const g = geometry(P, H, W, o.kernelSize as [number, number], o.stride as [number, number],
    o.padding as [number, number], d as [number, number], o.ceilMode);
  expect([g.OH, g.OW], `${c.name}: output size`).toEqual(c.y.shape.slice(-2));
  return g;
}

for (const [file, isMax] of [["max_pool2d.json", true], ["avg_pool2d.json", false]] as const) {
  const path = new URL(`../fixtures/${file}`, import.meta.url);
  const cases: FixtureCase[] = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")).cases : [];
  describe.skipIf(cases.length === 0)(`PyTorch fixtures ${file}`, () => {
    for (const variant of VARIANTS) {
      it(`every case through the raw kernels (${variant})`, () => {
        setKernelVariant(variant);
        for (const c of cases) {
          const g = fixtureGeometry(c);
          const x = c.x.data.map(num);
          const gy = c.gy.data.map(num);
          const gx = zerosPtr(x.length);
          if (isMax) {
            const r = runMaxFwd(x, g);
            expectClose(r.y, c.y.data.map(num), `${c.name} y`);
            expectExact(r.idx, c.indices!.data, `${c.name} indices`);
            maxPool2dBwd(gx, putF32(gy), putI32(r.idx), g);
            const gxo = put(new Array(x.length).fill(NaN)); // overwrite mode never reads gx
            maxPool2dBwd(gxo, putF32(gy), putI32(r.idx), g, true);
            expectClose(getF32(gxo, x.length), c.gx.data.map(num), `${c.name} gx (overwrite)`);
          } else {
            const r = runAvgFwd(x, g, c.opts.countIncludePad!, c.opts.divisorOverride ?? null);
            expectClose(r.y, c.y.data.map(num), `${c.name} y`);
            avgPool2dBwd(gx, putF32(gy), g, c.opts.countIncludePad!, c.opts.divisorOverride ?? null);
          }
          expectClose(getF32(gx, x.length), c.gx.data.map(num), `${c.name} gx`);
          freeAll();
        }
      });
    }
  });
}

it("reference output size follows PyTorch (ceil-mode correction)", () => {
  expect(poolOutSize(5, 2, 2, 0, 1, true)).toBe(3);
  expect(poolOutSize(5, 2, 2, 0, 1, false)).toBe(2);
  expect(poolOutSize(5, 3, 3, 1, 1, true)).toBe(2); // ceil gives 3, correction drops the window at 6 >= 5+1
  expect(poolOutSize(112, 3, 2, 1, 1, false)).toBe(56);
  expect(f32([0.1])[0]).toBe(Math.fround(0.1));
});

it("avg pool 2x2 stride 2 over tiled planes: the f32x4 twin gives the scalar twin's bits (-0, inf, NaN, ties)", () => {
  if (VARIANTS.length < 2) return;
  for (const [P, OH, OW] of [[3, 2, 1], [2, 3, 4], [1, 5, 5], [4, 2, 7], [2, 2, 14]]) {
    const g = geometry(P, 2 * OH, 2 * OW, [2, 2], [2, 2], [0, 0], [1, 1], false);
    const n = P * 4 * OH * OW;
    const x = Array.from({ length: n }, (_, i) => [-0, 0, Infinity, -Infinity, NaN, 1.5, -2.25, 3e38, -3e38, 1e-45][(i * 7) % 10]);
    const gy = Array.from({ length: P * OH * OW }, (_, i) => [-0, 5, -3, 1e-45, Infinity][i % 5]);
    const out: [Float32Array, Float32Array][] = [];
    for (const v of VARIANTS) {
      setKernelVariant(v);
      const y = runAvgFwd(x, g, false, null).y;
      const gxo = garbage(n, 0);
      avgPool2dBwd(gxo, put(gy, 0), g, false, null, true);
      out.push([y, getF32(gxo, n)]);
      freeAll();
    }
    expectSameBits(out[0][0], out[1][0], `y ${P}x${2 * OH}x${2 * OW}`);
    expectSameBits(out[0][1], out[1][1], `gx ${P}x${2 * OH}x${2 * OW}`);
  }
  setKernelVariant(VARIANTS[0]);
});
