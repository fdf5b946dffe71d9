// Shared helpers of the pooling kernels (pool_max.ts, pool_avg.ts): addressing, strided loads and the
// ranges of output columns whose windows lie inside the row. Not re-exported from index.ts.

// ---------------------------------------------------------------------------------------------- helpers

// @ts-ignore: decorator
@inline export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Loads x[p], x[p+sw], x[p+2sw], x[p+3sw] (floats; p a byte pointer). sw is a constant after inlining. */
// @ts-ignore: decorator
@inline export function loadStrided(p: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(p);
  if (sw == 2) return f32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  const s = <usize>sw << 2;
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + s, v, 1);
  v = v128.load32_lane(p + 2 * s, v, 2);
  return v128.load32_lane(p + 3 * s, v, 3);
}

/** First output column whose window starts at or after column 0. */
// @ts-ignore: decorator
@inline export function firstInterior(pw: i32, sw: i32): i32 {
  return (pw + sw - 1) / sw;
}

/** One past the last output column whose window (span floats + slack) ends inside [0, W), capped at OW. */
// @ts-ignore: decorator
@inline export function endInterior(W: i32, span: i32, slack: i32, pw: i32, sw: i32, OW: i32): i32 {
  const num = W - span - slack + pw;
  return num < 0 ? 0 : min(num / sw + 1, OW);
}

/**
 * Zeroes n floats at p. The backward kernels' overwrite mode zeroes a few gradient rows at a time, just before
 * the first window touches them, so that the rows are written to memory once (while still in cache) instead
 * of being zero-filled in a separate pass and read back. A call per row band: too short for memory.fill,
 * whose call into the engine costs more than the stores.
 */
// @ts-ignore: decorator
@inline export function zeroFloats(p: usize, n: i32, simd: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && simd) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v128.store(at(p, i), z);
  }
  for (; i < n; i++) store<f32>(at(p, i), 0);
}
