// 2-D max pooling over NCHW planes, PyTorch semantics (see /work/shared/SEMANTICS.md); the notes below also
// describe pool_avg.ts, which shares this layout.
//
// Every kernel works plane by plane (P = N*C planes of H*W floats) and output row by output row. The caller
// (src/kernels/pool.ts and the facade) computes OH/OW with PyTorch's formula, ceil-mode correction included,
// and validates kernel/stride/padding; kernels trust their arguments but clip every window to the input.
//
// Window of output (oh, ow), rows (columns alike):
//   max: start = oh*sh - ph, end = min(start + (KH-1)*dh + 1, H), start advanced by dh while < 0.
//   avg: hs = oh*sh - ph, he = min(hs + KH, H + ph), pool_size uses (he - hs) BEFORE clipping to [0, H).
//
// 3- and 2-wide stride-2 windows (3x3 s2 p1, 2x2 s2) on NaN-free rows take the separable path of
// pool_max_sep.ts: column maxima first, then the horizontal step, about half the work. Everything else:
//
// SIMD layout: four adjacent output columns of one output row form one f32x4 (lane j = column ow + j); row
// clipping is uniform across the lanes. Vector groups cover the columns whose windows end inside the row;
// the rest (and, for avg, the columns starting in the left padding) run the scalar per-output code shared by
// both twins. Stride 1 uses plain loads, stride 2 two loads and an even/odd shuffle (2- and 3-wide windows
// share the loads), larger strides a 4-lane gather. Max pool also vectorises left-border columns by reading
// the floats before the row and replacing them with -inf, and takes a cheaper update (pmax + integer max of
// the index) on rows without NaN. Forward lanes are bit-identical to the scalar twin (same window order, same
// f32 operations); the avg backward may add overlapping contributions in another order.

import { at, loadStrided, firstInterior, endInterior } from "./pool_common";
import { maxRowSep, SEP_DONE, SEP_ZERO } from "./pool_max_sep";
export { max_pool2d_bwd_f32x4, max_pool2d_bwd_scalar } from "./pool_max_bwd";

// ---------------------------------------------------------------------------------------------- max pool

/** Scalar max pooling of output columns [a, b) of one output row (rows ih0 (already advanced) .. ih1). */
function maxRowScalar(
  yr: usize, ir: usize, xp: usize, W: i32, ih0: i32, ih1: i32, dh: i32,
  a: i32, b: i32, sw: i32, pw: i32, spanW: i32, dw: i32,
): void {
  for (let ow = a; ow < b; ow++) {
    let iw0 = ow * sw - pw;
    const iw1 = min(iw0 + spanW, W);
    while (iw0 < 0) iw0 += dw;
    let best: f32 = -Infinity;
    let bi = ih0 * W + iw0; // PyTorch: index of the first in-bounds element, even if nothing beats -inf
    for (let ih = ih0; ih < ih1; ih += dh) {
      const row = ih * W;
      for (let iw = iw0; iw < iw1; iw += dw) {
        const v = load<f32>(at(xp, row + iw));
        const upd = v > best || v != v; // branchless: random data defeats the branch predictor
        best = select<f32>(v, best, upd);
        bi = select<i32>(row + iw, bi, upd);
      }
    }
    store<f32>(at(yr, ow), best);
    store<i32>(at(ir, ow), bi);
  }
}

/**
 * One running-max update of four lanes with candidate values v at indices c. PyTorch updates when
 * `val > max || isnan(val)`. Planes without NaN (fast) use pmax (exactly `max < val ? val : max`, a single
 * instruction) and, since indices grow along the row-major scan, take the index with an integer max of
 * (c where updated, else 0). The general path selects both with the full NaN-aware mask.
 */
// @ts-ignore: decorator
@inline function newIdx(v: v128, mx: v128, id: v128, c: v128, fast: bool): v128 {
  if (fast) return i32x4.max_s(id, v128.and(c, f32x4.gt(v, mx)));
  return v128.bitselect(c, id, v128.or(f32x4.gt(v, mx), f32x4.ne(v, v)));
}
// @ts-ignore: decorator
@inline function newMax(v: v128, mx: v128, fast: bool): v128 {
  if (fast) return f32x4.pmax(mx, v);
  return v128.bitselect(v, mx, v128.or(f32x4.gt(v, mx), f32x4.ne(v, v)));
}

/**
 * True if any of the n floats at xp may be NaN (never false when one is). A sum propagates NaN and costs one
 * add per vector (half of a compare-and-or test); it can also be NaN without a NaN input (+inf and -inf both
 * present, or overflows of both signs), a false alarm that only sends rows to the NaN-aware path, which is
 * exact for any input.
 */
function hasNaN(xp: usize, n: i32): bool {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = at(xp, i);
    s0 = f32x4.add(s0, v128.load(q));
    s1 = f32x4.add(s1, v128.load(q + 16));
    s2 = f32x4.add(s2, v128.load(q + 32));
    s3 = f32x4.add(s3, v128.load(q + 48));
  }
  for (; i + 4 <= n; i += 4) s0 = f32x4.add(s0, v128.load(at(xp, i)));
  const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let any = v128.any_true(f32x4.ne(s, s));
  for (; i < n; i++) {
    const v = load<f32>(at(xp, i));
    if (v != v) any = true;
  }
  return any;
}

/**
 * True if rows [r0, r1) of the plane hold no NaN where the vector paths read. st: one byte per row, 0 not
 * known yet, 1 clean, 2 may hold a NaN; unknown rows are scanned here, rows the separable path read are
 * marked by it (pool_max_sep.ts: its NaN detector covers them as it goes, cheaper than a scan).
 */
function rowsClean(st: usize, xp: usize, W: i32, r0: i32, r1: i32): bool {
  let ok = true;
  for (let r = r0; r < r1; r++) {
    let s = load<u8>(st + r);
    if (s == 0) {
      s = hasNaN(at(xp, r * W), W) ? 2 : 1;
      store<u8>(st + r, s);
    }
    if (s == 2) ok = false;
  }
  return ok;
}

/** Lane-wise first in-bounds window column: columns < 0 advanced by dw until >= 0 (PyTorch's start). */
// @ts-ignore: decorator
@inline function firstCol(c: i32, dw: i32): i32 {
  return c < 0 ? c + ((dw - 1 - c) / dw) * dw : c;
}
// @ts-ignore: decorator
@inline function firstCols(col: v128, dw: i32): v128 {
  let r = i32x4.replace_lane(col, 0, firstCol(i32x4.extract_lane(col, 0), dw));
  r = i32x4.replace_lane(r, 1, firstCol(i32x4.extract_lane(col, 1), dw));
  r = i32x4.replace_lane(r, 2, firstCol(i32x4.extract_lane(col, 2), dw));
  return i32x4.replace_lane(r, 3, firstCol(i32x4.extract_lane(col, 3), dw));
}
/** Lanes whose column is left of the input read as -inf (padding never wins); only when masked. */
// @ts-ignore: decorator
@inline function clipLeft(v: v128, col: v128, masked: bool): v128 {
  if (!masked) return v;
  return v128.bitselect(v, f32x4.splat(-Infinity), i32x4.ge_s(col, i32x4.splat(0)));
}

/**
 * Four output columns ow..ow+3 whose windows end inside the row. Unmasked: windows start at column >= 0.
 * Masked (left border): lanes may start left of the input; those positions read memory before the row
 * (the caller guarantees it exists) and are replaced by -inf. sw, KW, dw, fast, masked are constants after
 * inlining; 2- and 3-wide stride-2 windows share their loads.
 */
// @ts-ignore: decorator
@inline function maxGroup4(
  yr: usize, ir: usize, xp: usize, W: i32, ih0: i32, ih1: i32, dh: i32,
  ow: i32, sw: i32, pw: i32, KW: i32, dw: i32, lanes: v128, fast: bool, masked: bool,
): void {
  const iw0 = ow * sw - pw;
  const col0 = i32x4.add(i32x4.splat(iw0), lanes);
  const one = i32x4.splat(1);
  let mx = f32x4.splat(-Infinity);
  let id = i32x4.add(i32x4.splat(ih0 * W), masked ? firstCols(col0, dw) : col0);
  for (let ih = ih0; ih < ih1; ih += dh) {
    const r = ih * W + iw0;
    let c = i32x4.add(i32x4.splat(r), lanes);
    let q = at(xp, r); // wraps correctly for a negative r (masked groups only)
    if (sw == 2 && dw == 1 && (KW == 2 || KW == 3)) {
      const v0 = v128.load(q);
      const v1 = v128.load(q, 16);
      const e = clipLeft(f32x4.shuffle(v0, v1, 0, 2, 4, 6), col0, masked); // columns kw = 0
      id = newIdx(e, mx, id, c, fast);
      mx = newMax(e, mx, fast);
      const o = clipLeft(f32x4.shuffle(v0, v1, 1, 3, 5, 7), i32x4.add(col0, one), masked); // kw = 1
      c = i32x4.add(c, one);
      id = newIdx(o, mx, id, c, fast);
      mx = newMax(o, mx, fast);
      if (KW == 3) {
        // kw = 2: lanes 1..3 of e and the float after v1; columns >= 0 here whenever pw <= 1
        const e2 = f32x4.shuffle(e, v128.load32_zero(q, 32), 1, 2, 3, 4);
        c = i32x4.add(c, one);
        id = newIdx(e2, mx, id, c, fast);
        mx = newMax(e2, mx, fast);
      }
    } else {
      const dwv = i32x4.splat(dw);
      let col = col0;
      for (let kw = 0; kw < KW; kw++) {
        const v = clipLeft(loadStrided(q, sw), col, masked);
        id = newIdx(v, mx, id, c, fast);
        mx = newMax(v, mx, fast);
        c = i32x4.add(c, dwv);
        if (masked) col = i32x4.add(col, dwv);
        q += <usize>dw << 2;
      }
    }
  }
  v128.store(at(yr, ow), mx);
  v128.store(at(ir, ow), id);
}

// @ts-ignore: decorator
@inline function maxFwdSimd(
  y: usize, idx: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, keepIdx: bool, sepOk: bool,
  st: usize,
): void {
  const spanH = (KH - 1) * dh + 1;
  const spanW = (KW - 1) * dw + 1;
  const lo = firstInterior(pw, sw); // columns < lo have windows starting in the left padding
  // Stride-2 strided loads read one float past the window, except the shared-load 2/3-wide paths.
  const slack = sw == 2 && !(dw == 1 && (KW == 2 || KW == 3)) ? 1 : 0;
  let hi = endInterior(W, spanW, slack, pw, sw, OW);
  // Left-border groups read up to pw floats before the row: fine unless x sits at the start of memory.
  // The 3-wide stride-2 path skips the mask of its third column, valid while pw <= 1.
  const maskOk = x >= (<usize>pw + 8) << 2 && !(sw == 2 && dw == 1 && KW == 3 && pw > 1);
  let start = maskOk ? 0 : lo;
  if (hi - start < 4) { start = 0; hi = 0; }
  const lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(sw));
  // 3- and 2-wide stride-2 windows whose rows are all in the input (R == KW rows) take the separable path
  // (pool_max_sep.ts); its columns are the same [start, hi) (the same left-border read, no slack).
  const sep = sepOk && pw <= 1 && hi > start; // sepOk: a constant, KW 2 or 3, sw 2, dw 1
  for (let p = 0; p < P; p++) {
    const xp = at(x, p * H * W);
    for (let r = 0; r < H; r += 8) store<u64>(st + r, 0); // NaN state of each row of this plane: unknown
    for (let oh = 0; oh < OH; oh++) {
      const o = (p * OH + oh) * OW;
      const yr = at(y, o);
      const ir = keepIdx ? at(idx, o) : idx; // values only: idx is a one-row scratch
      let ih0 = oh * sh - ph;
      const ih1 = min(ih0 + spanH, H);
      while (ih0 < 0) ih0 += dh;
      // Calls only for non-empty ranges: a call costs about as much as a few vector groups.
      if (start > 0) maxRowScalar(yr, ir, xp, W, ih0, ih1, dh, 0, start, sw, pw, spanW, dw);
      if (hi > start) {
        // Windows of exactly KW rows: the separable path, which checks all rows but the first for NaN
        // (that one usually is the last of the previous window), unless it saw a NaN: then the code below.
        if (sep && ih0 + (KW - 1) * dh < ih1 && ih0 + KW * dh >= ih1 && (load<u8>(st + ih0) == 1 || rowsClean(st, xp, W, ih0, ih0 + 1))) {
          let r = keepIdx ? SEP_ZERO : maxRowSep(yr, ir, xp, W, ih0, KW, dh, start, hi, pw, KW, false);
          if (r == SEP_ZERO) r = maxRowSep(yr, ir, xp, W, ih0, KW, dh, start, hi, pw, KW, true);
          if (r == SEP_DONE) {
            for (let k = 1; k < KW; k++) store<u8>(st + ih0 + k * dh, 1);
            if (hi < OW) maxRowScalar(yr, ir, xp, W, ih0, ih1, dh, hi, OW, sw, pw, spanW, dw);
            continue;
          }
        }
        // The last group overlaps the previous one when the count is not a multiple of 4: forward
        // overwrites, so recomputing a column is harmless.
        if (rowsClean(st, xp, W, ih0, ih1)) {
          for (let ow = start; ow < hi; ow += 4) {
            const g = min(ow, hi - 4);
            if (g < lo) maxGroup4(yr, ir, xp, W, ih0, ih1, dh, g, sw, pw, KW, dw, lanes, false, true);
            else maxGroup4(yr, ir, xp, W, ih0, ih1, dh, g, sw, pw, KW, dw, lanes, true, false);
          }
        } else {
          for (let ow = start; ow < hi; ow += 4) {
            const g = min(ow, hi - 4);
            if (g < lo) maxGroup4(yr, ir, xp, W, ih0, ih1, dh, g, sw, pw, KW, dw, lanes, false, true);
            else maxGroup4(yr, ir, xp, W, ih0, ih1, dh, g, sw, pw, KW, dw, lanes, false, false);
          }
        }
      }
      if (hi < OW) maxRowScalar(yr, ir, xp, W, ih0, ih1, dh, hi, OW, sw, pw, spanW, dw);
    }
  }
}

/**
 * Max pooling forward, SIMD across output columns.
 * y (P,OH,OW) overwritten; idx (P,OH,OW) i32 overwritten with ih*W+iw inside the plane; x (P,H,W).
 * Ties keep the first element in row-major scan order; NaN wins (the last NaN's index); a window holding
 * only -inf (or nothing, possible with dilation) yields -inf and the first in-bounds index, as in PyTorch.
 */
export function max_pool2d_fwd_f32x4(
  y: usize, idx: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const st = heap.alloc(<usize>H + 8); // per-row NaN state (cleared 8 bytes at a time)
  maxFwdDispatch(y, idx, x, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, true, st);
  heap.free(st);
}

// Not inlined: one copy serves both exported kernels (keepIdx is a runtime flag outside maxRowSep).
function maxFwdDispatch(
  y: usize, idx: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, keepIdx: bool, st: usize,
): void {
  if (sw == 2 && dw == 1 && KW == 3) maxFwdSimd(y, idx, x, P, H, W, OH, OW, KH, 3, sh, 2, ph, pw, dh, 1, keepIdx, true, st);
  else if (sw == 2 && dw == 1 && KW == 2) maxFwdSimd(y, idx, x, P, H, W, OH, OW, KH, 2, sh, 2, ph, pw, dh, 1, keepIdx, true, st);
  else if (sw == 1) maxFwdSimd(y, idx, x, P, H, W, OH, OW, KH, KW, sh, 1, ph, pw, dh, dw, keepIdx, false, st);
  else if (sw == 2) maxFwdSimd(y, idx, x, P, H, W, OH, OW, KH, KW, sh, 2, ph, pw, dh, dw, keepIdx, false, st);
  else maxFwdSimd(y, idx, x, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, keepIdx, false, st);
}

/** Max pooling forward, scalar twin of max_pool2d_fwd_f32x4 (same arguments, same results). */
export function max_pool2d_fwd_scalar(
  y: usize, idx: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
): void {
  const spanH = (KH - 1) * dh + 1;
  const spanW = (KW - 1) * dw + 1;
  for (let p = 0; p < P; p++) {
    const xp = at(x, p * H * W);
    for (let oh = 0; oh < OH; oh++) {
      const o = (p * OH + oh) * OW;
      let ih0 = oh * sh - ph;
      const ih1 = min(ih0 + spanH, H);
      while (ih0 < 0) ih0 += dh;
      maxRowScalar(at(y, o), at(idx, o), xp, W, ih0, ih1, dh, 0, OW, sw, pw, spanW, dw);
    }
  }
}

/**
 * Max pooling forward without indices (inference: no gradient will be needed), SIMD. y (P,OH,OW) gets the
 * same values as max_pool2d_fwd_f32x4 gives; the index stores go to a one-row scratch (or are skipped).
 */
export function max_pool2d_fwd_values_f32x4(
  y: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const row = heap.alloc((<usize>OW << 2) + <usize>H + 8); // one row of indices, then the per-row NaN state
  maxFwdDispatch(y, row, x, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, false, row + (<usize>OW << 2));
  heap.free(row);
}

/** Scalar twin of max_pool2d_fwd_values_f32x4. */
export function max_pool2d_fwd_values_scalar(
  y: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
): void {
  const row = heap.alloc(<usize>OW << 2);
  const spanH = (KH - 1) * dh + 1;
  const spanW = (KW - 1) * dw + 1;
  for (let p = 0; p < P; p++) {
    const xp = at(x, p * H * W);
    for (let oh = 0; oh < OH; oh++) {
      let ih0 = oh * sh - ph;
      const ih1 = min(ih0 + spanH, H);
      while (ih0 < 0) ih0 += dh;
      maxRowScalar(at(y, (p * OH + oh) * OW), row, xp, W, ih0, ih1, dh, 0, OW, sw, pw, spanW, dw);
    }
  }
  heap.free(row);
}
