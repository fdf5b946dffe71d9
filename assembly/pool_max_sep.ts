// Separable max pooling for the common stride-2 windows 3 or 2 columns wide (3x3 s2 p1, 2x2 s2 and their
// clipped border rows), on rows without NaN. Helpers of pool_max.ts, which decides when they apply.
//
// Column maxima first: for 4 adjacent input columns, the maximum over the window's R rows (R = 2 or 3) and
// the offset of the first row holding it (0, dh*W or 2*dh*W). Each column is reduced once per output row
// and shared by the two windows that overlap on it, and the horizontal step is then 3 (or 2) shuffles and
// maxima per 4 outputs: about half the work of reducing the 9 window positions one by one.
//
// Exactness. PyTorch scans a window row-major and keeps the first maximum (`val > max`). pmax in row order
// keeps the first row of a column; across columns the first in scan order is the tied column with the
// smallest (row, column), i.e. the smallest key row offset + column offset: keys of columns below the
// maximum are forced to all ones and an unsigned min picks the winner. Its value is the maximum; equal
// floats have equal bits except +0 and -0, so rows where a column maximum is -0 are finished from the
// indices (see maxRowSep). A padded column (left border) reads -inf with an all-ones key. NaN: see colSum.

import { at } from "./pool_common";

// @ts-ignore: decorator
@inline function colMax(u0: v128, u1: v128, u2: v128, R: i32): v128 {
  const m = f32x4.pmax(u0, u1);
  return R == 3 ? f32x4.pmax(m, u2) : m;
}

/** Row offset of the first row holding each column's maximum (strict > in row order). */
// @ts-ignore: decorator
@inline function colRow(u0: v128, u1: v128, u2: v128, w1: v128, w2: v128, R: i32): v128 {
  const r1 = v128.and(f32x4.gt(u1, u0), w1);
  if (R == 2) return r1;
  return i32x4.max_s(r1, v128.and(f32x4.gt(u2, f32x4.pmax(u0, u1)), w2));
}

/**
 * NaN detector over rows 1.. of the window (the caller checks row 0, usually the previous window's last
 * row): the running sum of every loaded column. A NaN anywhere makes it NaN; so can +inf and -inf
 * together (or overflows of both signs), a false alarm that only sends the row to the NaN-aware path. Inside
 * the loop it costs a few adds; a separate pass over the rows first cost more (it is the pass that waits
 * for memory, without work to overlap).
 */
// @ts-ignore: decorator
@inline function colSum(det: v128, u1: v128, u2: v128, R: i32): v128 {
  return f32x4.add(det, R == 3 ? f32x4.add(u1, u2) : u1);
}

// @ts-ignore: decorator
@inline function load3(q: usize, rs: usize, R: i32): v128 {
  return R == 3 ? v128.load(q + 2 * rs) : f32x4.splat(0); // R == 2: not used
}
// @ts-ignore: decorator
@inline function load3z(q: usize, rs: usize, R: i32): v128 {
  return R == 3 ? v128.load32_zero(q + 2 * rs) : f32x4.splat(0);
}

/** Lane 0 is the padded column left of the input: -inf, and a key that never wins. */
// @ts-ignore: decorator
@inline function padLeft(v: v128): v128 {
  return v128.bitselect(f32x4.splat(-Infinity), v, i32x4(-1, 0, 0, 0));
}
// @ts-ignore: decorator
@inline function padLeftKey(r: v128): v128 {
  return v128.or(r, i32x4(-1, 0, 0, 0));
}

/**
 * Key of the winner among the columns e, o (and e2) of four windows: a candidate below the maximum mx gets
 * an all-ones key, the smallest key left is the first maximum in scan order. ke, ko, k2 = row offset +
 * column offset (0, 1, 2); keys of distinct columns differ.
 */
// @ts-ignore: decorator
@inline function pickKey(e: v128, o: v128, e2: v128, ke: v128, ko: v128, k2: v128, mx: v128, KW: i32): v128 {
  const ce = v128.or(ke, f32x4.ne(e, mx));
  const co = v128.or(ko, f32x4.ne(o, mx));
  if (KW == 2) return i32x4.min_u(ce, co);
  return i32x4.min_u(i32x4.min_u(ce, co), v128.or(k2, f32x4.ne(e2, mx)));
}

/**
 * Running watch for a -0 among the column maxima (see maxRowSep): -0's bits as i32 are the smallest i32, so
 * a signed minimum keeps it (one instruction per vector, where compare-and-or takes two).
 */
// @ts-ignore: decorator
@inline function negZero(m: v128, v: v128): v128 {
  return i32x4.min_s(m, v);
}

/**
 * One group of four outputs from the column maxima a (columns c0..c0+3), b (c0+4..c0+7) and n (lane 0:
 * column c0+8, KW == 3 only) and their row offsets ra, rb, rn; stores y (and idx = key + base, base =
 * plane offset of column c0 of the first row, per lane).
 */
// @ts-ignore: decorator
@inline function emit(
  yr: usize, ir: usize, ow: i32, a: v128, b: v128, n: v128, ra: v128, rb: v128, rn: v128, base: v128,
  KW: i32, withIdx: bool,
): void {
  const e = f32x4.shuffle(a, b, 0, 2, 4, 6);
  const o = f32x4.shuffle(a, b, 1, 3, 5, 7);
  const e2 = KW == 3 ? f32x4.shuffle(e, n, 1, 2, 3, 4) : e;
  let mx = f32x4.pmax(e, o);
  if (KW == 3) mx = f32x4.pmax(mx, e2);
  if (withIdx) {
    const re = i32x4.shuffle(ra, rb, 0, 2, 4, 6);
    const ko = i32x4.add(i32x4.shuffle(ra, rb, 1, 3, 5, 7), i32x4.splat(1));
    const k2 = KW == 3 ? i32x4.add(i32x4.shuffle(re, rn, 1, 2, 3, 4), i32x4.splat(2)) : ko;
    v128.store(at(ir, ow), i32x4.add(pickKey(e, o, e2, re, ko, k2, mx, KW), base));
  }
  v128.store(at(yr, ow), mx);
}

/** What maxRowSep reports. */
export const SEP_DONE = 0;
export const SEP_NAN = 1; // the rows may hold a NaN: nothing is final, recompute the row NaN-aware
export const SEP_ZERO = 2; // values only: some maximum is zero, recompute the row with indices

/**
 * Output columns [a0, b0) (b0 - a0 >= 4) of one output row whose R rows start at input row r0, rows dh
 * apart; windows 2*ow - pw .. + KW - 1, all inside the row except column -1 of ow = 0 (pw = 1), which reads
 * the float before the row and replaces it (the caller checks that memory exists). R, KW, withIdx are
 * constants after inlining. KW == 3 streams: the columns c0+8.. of one group are the next group's first.
 *
 * Equal maxima have equal bits except +0 and -0, where pmax may have kept another column than the first in
 * scan order. That needs a -0 among the column maxima (rare: ReLU outputs, say, are +0), which the loop
 * watches for; such rows then finish with y = x[idx] (exact by definition), or without indices SEP_ZERO
 * asks the caller to redo the row with them (into a scratch row).
 */
// @ts-ignore: decorator
@inline export function maxRowSep(
  yr: usize, ir: usize, xp: usize, W: i32, r0: i32, R: i32, dh: i32,
  a0: i32, b0: i32, pw: i32, KW: i32, withIdx: bool,
): i32 {
  const rowOff = dh * W;
  const rs = <usize>rowOff << 2;
  const w1 = i32x4.splat(rowOff);
  const w2 = i32x4.splat(2 * rowOff);
  const last = b0 - 4;
  let ow = a0;
  let c0 = 2 * ow - pw;
  let q = at(xp, r0 * W + c0);
  let base = i32x4.add(i32x4.splat(r0 * W + c0), i32x4(0, 2, 4, 6));
  const step = i32x4.splat(8);
  let det = f32x4.splat(0);
  let negz = det; // minimum of the column maxima as i32: 0x80000000 where one is -0
  // Streaming groups: their loads (up to column c0+11) stay inside the row.
  const streamEnd = KW == 3 ? min(last, (W - 12 + pw) >> 1) : -1; // last ow with c0 + 12 <= W
  if (ow <= streamEnd) {
    let u0 = v128.load(q), u1 = v128.load(q + rs), u2 = load3(q, rs, R);
    let a = colMax(u0, u1, u2, R);
    negz = negZero(negz, a);
    let ra = withIdx ? colRow(u0, u1, u2, w1, w2, R) : a;
    if (c0 < 0) {
      a = padLeft(a);
      ra = padLeftKey(ra);
      const m = i32x4(0, -1, -1, -1); // the detector skips the padded lane (memory outside the row)
      det = colSum(det, v128.and(u1, m), v128.and(u2, m), R);
    } else det = colSum(det, u1, u2, R);
    do {
      u0 = v128.load(q + 16); u1 = v128.load(q + rs + 16); u2 = load3(q + 16, rs, R);
      det = colSum(det, u1, u2, R);
      const b = colMax(u0, u1, u2, R);
      negz = negZero(negz, b);
      const rb = withIdx ? colRow(u0, u1, u2, w1, w2, R) : b;
      u0 = v128.load(q + 32); u1 = v128.load(q + rs + 32); u2 = load3(q + 32, rs, R);
      det = colSum(det, u1, u2, R);
      const n = colMax(u0, u1, u2, R);
      negz = negZero(negz, n);
      const rn = withIdx ? colRow(u0, u1, u2, w1, w2, R) : n;
      emit(yr, ir, ow, a, b, n, ra, rb, rn, base, 3, withIdx);
      a = n;
      ra = rn;
      ow += 4;
      q += 32;
      base = i32x4.add(base, step);
    } while (ow <= streamEnd);
    c0 = 2 * ow - pw;
  }
  // KW == 2 (no streaming), and the last KW == 3 group: shifted left to end at b0 when b0 - a0 is not a
  // multiple of 4 (recomputing a few outputs is harmless: the forward overwrites).
  while (ow < b0) {
    if (ow > last) {
      ow = last;
      c0 = 2 * ow - pw;
      q = at(xp, r0 * W + c0);
      base = i32x4.add(i32x4.splat(r0 * W + c0), i32x4(0, 2, 4, 6));
    }
    let u0 = v128.load(q), u1 = v128.load(q + rs), u2 = load3(q, rs, R);
    let a = colMax(u0, u1, u2, R);
    negz = negZero(negz, a);
    let ra = withIdx ? colRow(u0, u1, u2, w1, w2, R) : a;
    if (c0 < 0) {
      a = padLeft(a);
      ra = padLeftKey(ra);
      const m = i32x4(0, -1, -1, -1); // the detector skips the padded lane (memory outside the row)
      det = colSum(det, v128.and(u1, m), v128.and(u2, m), R);
    } else det = colSum(det, u1, u2, R);
    u0 = v128.load(q + 16); u1 = v128.load(q + rs + 16); u2 = load3(q + 16, rs, R);
    det = colSum(det, u1, u2, R);
    const b = colMax(u0, u1, u2, R);
    negz = negZero(negz, b);
    const rb = withIdx ? colRow(u0, u1, u2, w1, w2, R) : b;
    let n = b, rn = rb;
    if (KW == 3) { // only column c0+8 is read: it may be the row's last
      u0 = v128.load32_zero(q + 32); u1 = v128.load32_zero(q + rs + 32); u2 = load3z(q + 32, rs, R);
      det = colSum(det, u1, u2, R);
      n = colMax(u0, u1, u2, R);
      negz = negZero(negz, n);
      rn = withIdx ? colRow(u0, u1, u2, w1, w2, R) : n;
    }
    emit(yr, ir, ow, a, b, n, ra, rb, rn, base, KW, withIdx);
    ow += 4;
    c0 += 8;
    q += 32;
    base = i32x4.add(base, step);
  }
  if (v128.any_true(f32x4.ne(det, det))) return SEP_NAN;
  if (v128.any_true(i32x4.eq(negz, i32x4.splat(0x80000000)))) {
    if (!withIdx) return SEP_ZERO;
    for (let j = a0; j < b0; j++) store<f32>(at(yr, j), load<f32>(at(xp, load<i32>(at(ir, j)))));
  }
  return SEP_DONE;
}
