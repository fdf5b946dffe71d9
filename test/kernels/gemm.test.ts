// matmul kernel (assembly/gemm.ts) against the naive reference, for both twins: all transpose combinations,
// sizes around the microkernel tile (4 x 8) and the cache blocks (MC 128, KC 256, NC 1024), beta = 0 / 1.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { setKernelVariant } from "../../src/wasm.js";
import { matmulFwd } from "../../src/kernels/gemm.js";
import { freeAll, putGuarded, readGuarded, VARIANTS } from "../helpers/wasm_buffers.js";
import { mismatch, randArray, refMatmul, rng } from "../reference/conv.js";

afterEach(() => freeAll());


/** Runs matmul on random data with c pre-filled (NaN for beta 0), compares with beta*c0 + op(a) @ op(b). */
function check(v: Variant, M: number, K: number, N: number, tA: boolean, tB: boolean, beta: number, seed: number): void {
  const r = rng(seed);
  const a = randArray(M * K, r), b = randArray(K * N, r);
  const c0 = beta === 0 ? new Float32Array(M * N).fill(NaN) : randArray(M * N, r);
  setKernelVariant(v);
  const off = seed & 3;
  const pc = putGuarded(c0, off);
  matmulFwd(pc, putGuarded(a, (off + 1) & 3), putGuarded(b, (off + 2) & 3), M, K, N, tA, tB, beta);
  const want = refMatmul(a, b, M, K, N, tA, tB).map((e, i) => (beta === 0 ? e : beta * c0[i] + e));
  expect(mismatch(readGuarded(pc, M * N), want), `${v} M=${M} K=${K} N=${N} tA=${tA} tB=${tB} beta=${beta}`).toBeNull();
}

const TILE_SIZES = [1, 3, 4, 5, 8, 9, 13, 17, 33];
const TRANS: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];

for (const v of VARIANTS) {
  describe(`matmul kernel (${v})`, () => {
    for (const [tA, tB] of TRANS) {
      it(`sizes around the tiles, transA=${tA} transB=${tB}, beta 0 and 1`, () => {
        let seed = 1;
        for (const M of TILE_SIZES) for (const N of TILE_SIZES) for (const K of [1, 4, 5, 9, 17]) {
          check(v, M, K, N, tA, tB, seed & 1, seed);
          seed++;
          freeAll();
        }
      });
      it(`sizes across the cache blocks, transA=${tA} transB=${tB}`, () => {
        check(v, 131, 259, 37, tA, tB, 0, 7);
        freeAll();
        check(v, 9, 300, 1030, tA, tB, 1, 8);
      });
    }

    it("matches the reference on random sizes and options", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 40 }),
          fc.boolean(), fc.boolean(), fc.constantFrom(0, 1, 0.5), fc.integer({ min: 0, max: 2 ** 30 }),
          (M, K, N, tA, tB, beta, seed) => {
            check(v, M, K, N, tA, tB, beta, seed);
            freeAll();
          },
        ),
        { numRuns: 150 },
      );
    });

    it("beta = 1 accumulates: two calls give twice the product", () => {
      const M = 13, K = 9, N = 17;
      const r = rng(2);
      const a = randArray(M * K, r), b = randArray(K * N, r);
      setKernelVariant(v);
      const pa = putGuarded(a, 1), pb = putGuarded(b, 2), pc = putGuarded(new Float32Array(M * N), 3);
      matmulFwd(pc, pa, pb, M, K, N, false, false, 1);
      matmulFwd(pc, pa, pb, M, K, N, false, false, 1);
      expect(mismatch(readGuarded(pc, M * N), refMatmul(a, b, M, K, N, false, false).map((e) => 2 * e))).toBeNull();
    });

    it("NaN in a reaches exactly its row of c; beta = 0 ignores NaN already in c", () => {
      const M = 6, K = 7, N = 10;
      const r = rng(4);
      const a = randArray(M * K, r), b = randArray(K * N, r);
      a[2 * K + 3] = NaN;
      setKernelVariant(v);
      const pc = putGuarded(new Float32Array(M * N).fill(NaN), 0);
      matmulFwd(pc, putGuarded(a, 1), putGuarded(b, 2), M, K, N, false, false, 0);
      const c = readGuarded(pc, M * N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        expect(Number.isNaN(c[i * N + j]), `c[${i}][${j}]`).toBe(i === 2);
      }
      expect(mismatch(c, refMatmul(a, b, M, K, N, false, false))).toBeNull();
    });
  });
}
