// Max pooling backward for 3x3 windows, stride 2, padding 1 (the ResNet stem pool), overwrite mode only: gx
// is built row by row from the outputs whose windows hold each element (a gather) instead of scattering each
// output's gradient into a zeroed gx. Helpers of pool_max_bwd.ts, which decides when they apply (SIMD twin
// only: in scalar code the scatter is cheaper).
//
// Why: the scatter writes gx twice per element (a zero store, then a read-modify-write of one float per
// output); the gather writes every gx line once with full f32x4 stores and never reads gx.
//
// Which outputs reach an element. Output (oh, ow) covers rows 2oh-1 .. 2oh+1 and columns 2ow-1 .. 2ow+1, so
// even row 2k belongs to output row k only, odd row 2k+1 to output rows k and k+1 (columns alike: column 2m
// to output column m, column 2m+1 to m and m+1). An output gives its gradient to element (r, c) iff its saved
// argmax equals r*W + c: the forward's indices always lie inside their window, so comparing with the
// absolute position needs no window arithmetic (and an index outside the plane matches nothing).
//
// Exactness. PyTorch zeroes gx and adds the gradients in output order: gx = ((0 + g1) + g2) + ... The gather
// adds the same terms in the same order, with +0 for outputs that chose another element (x + +0 == x except
// -0 + +0 == +0, and a partial sum that starts from +0 is never -0, so the +0 terms change nothing). The SIMD
// lanes skip the leading 0 and add it last instead: ((g1 + g2) + ...) + 0 has the same bits, since the sums
// differ only while every term so far is -0.

import { at } from "./pool_common";

/**
 * gx[r, c] (overwrite) from the outputs whose windows hold it, in output order. gyp, ip: this plane's
 * gradient and argmax (OH, OW). Any (r, c) of the plane: the columns the vector groups leave (odd W) and
 * planes too narrow for a group.
 */
// @ts-ignore: decorator
@inline function gatherOne(gyp: usize, ip: usize, r: i32, c: i32, W: i32, OH: i32, OW: i32): f32 {
  const target = r * W + c;
  const oh1 = min((r + 1) >> 1, OH - 1);
  const ow1 = min((c + 1) >> 1, OW - 1);
  let acc: f32 = 0;
  for (let oh = r >> 1; oh <= oh1; oh++) {
    for (let ow = c >> 1; ow <= ow1; ow++) {
      const j = oh * OW + ow;
      acc += select<f32>(load<f32>(at(gyp, j)), 0, load<i32>(at(ip, j)) == target);
    }
  }
  return acc;
}

/** Columns [c0, c1) of gx row r, one element at a time. */
// @ts-ignore: decorator
@inline function gatherCols(gxr: usize, gyp: usize, ip: usize, r: i32, c0: i32, c1: i32, W: i32, OH: i32, OW: i32): void {
  for (let c = c0; c < c1; c++) store<f32>(at(gxr, c), gatherOne(gyp, ip, r, c, W, OH, OW));
}

/** g where the index equals the target, else +0. */
// @ts-ignore: decorator
@inline function pick(g: v128, i: v128, t: v128): v128 {
  return v128.and(g, i32x4.eq(i, t));
}

/** Stores even columns e and odd columns o interleaved: gx columns 2m0 .. 2m0+7 at q. Adds the leading +0. */
// @ts-ignore: decorator
@inline function storePairs(q: usize, e: v128, o: v128, z: v128): void {
  v128.store(q, f32x4.add(f32x4.shuffle(e, o, 0, 4, 1, 5), z));
  v128.store(q, f32x4.add(f32x4.shuffle(e, o, 2, 6, 3, 7), z), 16);
}

/**
 * Four output columns m0..m0+3 of output row k give gx columns 2m0 .. 2m0+7 of one gx row at q: row 2k
 * (part 0: only output row k reaches it) or row 2k+1 (part 1: output rows k and, when `next`, k+1).
 * gyr, ir: outputs (k, m0); the next output row is rs bytes further. tE, tO: positions of the row's even and
 * odd columns. shifted: outputs m0+1..m0+4 exist (else lane 3 of the shifted vectors is absent). part and the
 * flags are constants after inlining.
 */
// @ts-ignore: decorator
@inline function group(
  part: i32, q: usize, gyr: usize, ir: usize, rs: usize, tE: v128, tO: v128, next: bool, shifted: bool,
): void {
  const z = f32x4.splat(0);
  const g = v128.load(gyr);
  const i = v128.load(ir);
  let g1: v128, i1: v128; // outputs m0+1 .. m0+4 (their left column is this group's odd column)
  if (shifted) {
    g1 = v128.load(gyr, 4);
    i1 = v128.load(ir, 4);
  } else {
    g1 = f32x4.shuffle(g, z, 1, 2, 3, 4);
    i1 = i32x4.shuffle(i, i32x4.splat(-1), 1, 2, 3, 4); // no position is -1
  }
  let e = pick(g, i, tE);
  let o = f32x4.add(pick(g, i, tO), pick(g1, i1, tO));
  if (part == 1 && next) {
    const gn = v128.load(gyr + rs);
    const inx = v128.load(ir + rs);
    e = f32x4.add(e, pick(gn, inx, tE));
    o = f32x4.add(o, pick(gn, inx, tO));
    let gn1: v128, in1: v128;
    if (shifted) {
      gn1 = v128.load(gyr + rs, 4);
      in1 = v128.load(ir + rs, 4);
    } else {
      gn1 = f32x4.shuffle(gn, z, 1, 2, 3, 4);
      in1 = i32x4.shuffle(inx, i32x4.splat(-1), 1, 2, 3, 4);
    }
    o = f32x4.add(o, pick(gn1, in1, tO));
  }
  storePairs(q, e, o, z);
}

/**
 * One gx row (2k + part) of output row k, in SIMD groups, then the columns the groups do not reach. Each gx row
 * is written in one sweep (not the two rows of an output row group by group): one store stream at a time
 * measured 1.10-1.16x faster on the 25.7 MB gx of 8x64x112x112 (interleaved A/B).
 */
// @ts-ignore: decorator
@inline function gatherRowPart(
  part: i32, gxp: usize, gyp: usize, ip: usize, k: i32, W: i32, OH: i32, OW: i32, mLast: i32, next: bool,
): void {
  const r = 2 * k + part;
  const q = at(gxp, r * W);
  const gyr = at(gyp, k * OW);
  const ir = at(ip, k * OW);
  const rs = <usize>OW << 2;
  // Target positions, carried from group to group (the columns advance by 8 per group).
  const eight = i32x4.splat(8);
  let tE = i32x4.add(i32x4.splat(r * W), i32x4(0, 2, 4, 6));
  let tO = i32x4.add(tE, i32x4.splat(1));
  // Groups m0 = 0, 4, ..., then mLast (overlapping the previous one when OW is not a multiple of 4: the
  // gather overwrites, so recomputing columns is harmless). Only the group at OW-4 lacks output m0+4.
  for (let m0 = 0; m0 < mLast; m0 += 4) {
    const b = <usize>m0 << 2;
    group(part, q + 2 * b, gyr + b, ir + b, rs, tE, tO, next, true);
    tE = i32x4.add(tE, eight);
    tO = i32x4.add(tO, eight);
  }
  const b = <usize>mLast << 2;
  tE = i32x4.add(i32x4.splat(r * W + 2 * mLast), i32x4(0, 2, 4, 6));
  tO = i32x4.add(tE, i32x4.splat(1));
  if (mLast + 4 < OW) group(part, q + 2 * b, gyr + b, ir + b, rs, tE, tO, next, true);
  else group(part, q + 2 * b, gyr + b, ir + b, rs, tE, tO, next, false);
  gatherCols(q, gyp, ip, r, 2 * mLast + 8, W, W, OH, OW); // columns the groups do not reach (odd W)
}

/** One output row k with SIMD groups: gx row 2k, then (odd) row 2k+1. */
// @ts-ignore: decorator
@inline function gatherRowSimd(
  gxp: usize, gyp: usize, ip: usize, k: i32, W: i32, OH: i32, OW: i32, mLast: i32, odd: bool, next: bool,
): void {
  gatherRowPart(0, gxp, gyp, ip, k, W, OH, OW, mLast, false);
  if (odd) gatherRowPart(1, gxp, gyp, ip, k, W, OH, OW, mLast, next);
}

/**
 * gx (P,H,W) = max pooling gradient of gy (P,OH,OW) with argmax idx (P,OH,OW), 3x3 windows, stride 2,
 * padding 1, dilation 1 (any OH/OW the forward allows, ceil mode included). gx is never read.
 */
export function maxBwdGather3s2(
  gx: usize, gy: usize, idx: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  // Last SIMD group: it must end inside the row (2*m0 + 8 <= W) and start at an output (m0 + 4 <= OW).
  const mLast = min(OW - 4, (W - 8) >> 1);
  for (let p = 0; p < P; p++) {
    const gxp = at(gx, p * H * W);
    const gyp = at(gy, p * OH * OW);
    const ip = at(idx, p * OH * OW);
    for (let k = 0; k < OH; k++) {
      const r = 2 * k;
      if (r >= H) break; // ceil mode: this output row's window holds row 2k-1 only, done with row k-1
      const odd = r + 1 < H;
      if (mLast >= 0) {
        if (!odd) gatherRowSimd(gxp, gyp, ip, k, W, OH, OW, mLast, false, false);
        else if (k + 1 < OH) gatherRowSimd(gxp, gyp, ip, k, W, OH, OW, mLast, true, true);
        else gatherRowSimd(gxp, gyp, ip, k, W, OH, OW, mLast, true, false);
      } else {
        gatherCols(at(gxp, r * W), gyp, ip, r, 0, W, W, OH, OW);
        if (odd) gatherCols(at(gxp, (r + 1) * W), gyp, ip, r + 1, 0, W, W, OH, OW);
      }
    }
  }
}
