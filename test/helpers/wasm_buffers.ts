// Test-side helpers for calling raw kernels: put arrays into linear memory, read them back, free them.
import { heapF32, heapI32, setKernelVariant, wasm, type Variant } from "../../src/wasm.js";

const live: number[] = [];

/** Allocates n f32 (or i32) slots, zero-filled, and returns the byte pointer. */
export function zerosPtr(n: number): number {
  const p = wasm().alloc(Math.max(4, n * 4));
  heapF32().fill(0, p >> 2, (p >> 2) + n);
  live.push(p);
  return p;
}

/** Copies f32 data into a fresh block and returns its byte pointer. */
export function putF32(data: ArrayLike<number>): number {
  const p = zerosPtr(data.length);
  heapF32().set(data, p >> 2);
  return p;
}

/** Copies i32 data into a fresh block and returns its byte pointer. */
export function putI32(data: ArrayLike<number>): number {
  const p = zerosPtr(data.length);
  heapI32().set(data, p >> 2);
  return p;
}

/** Reads n f32 values at ptr (a copy, safe across memory growth). */
export function getF32(ptr: number, n: number): Float32Array {
  return heapF32().slice(ptr >> 2, (ptr >> 2) + n);
}

/** Reads n i32 values at ptr (a copy). */
export function getI32(ptr: number, n: number): Int32Array {
  return heapI32().slice(ptr >> 2, (ptr >> 2) + n);
}

/** Frees every block allocated through these helpers. */
export function freeAll(): void {
  for (const p of live.splice(0)) wasm().free(p);
}

/** The kernel twins this engine can run: f32x4 exists only in the SIMD builds (WASMCONV_SCALAR=1 tests scalar only). */
export const VARIANTS = (["f32x4", "scalar"] as Variant[]).filter((v) => {
  try {
    setKernelVariant(v);
    return true;
  } catch {
    return false;
  }
});

/**
 * Selects the f32x4 twins and returns true where this build has them; false in the scalar build
 * (WASMCONV_SCALAR=1), which has no f32x4-only paths to test. Suites of such paths start with it.
 */
export function useSimd(): boolean {
  if (!VARIANTS.includes("f32x4")) return false;
  setKernelVariant("f32x4");
  return true;
}

const GUARD = 4;
const SENTINEL = 12345.5;

/** Copies data to a fresh block at `off` floats (0..3) into it, followed by GUARD sentinel floats. */
export function putGuarded(data: ArrayLike<number>, off: number): number {
  const base = zerosPtr(data.length + off + GUARD);
  const ptr = base + off * 4;
  heapF32().set(data, ptr >> 2);
  heapF32().fill(SENTINEL, (ptr >> 2) + data.length, (ptr >> 2) + data.length + GUARD);
  return ptr;
}

/** Reads n floats written by a kernel, failing if it wrote past them into the sentinels. */
export function readGuarded(ptr: number, n: number): Float32Array {
  if (!getF32(ptr + n * 4, GUARD).every((v) => v === SENTINEL)) throw new Error("kernel wrote past the end of its output");
  return getF32(ptr, n);
}
