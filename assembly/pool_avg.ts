// 2-D average pooling over NCHW planes, PyTorch semantics; see pool_max.ts for the layout shared by both
// pooling files. Window rows: hs = oh*sh - ph, he = min(hs + KH, H + ph); pool_size uses (he - hs) BEFORE
// clipping to [0, H); divisor = divisorOverride, or pool_size with countIncludePad, else the clipped area.

import { at, loadStrided, firstInterior, endInterior, zeroFloats } from "./pool_common";

// ---------------------------------------------------------------------------------------------- avg pool

/**
 * Scalar average pooling of output columns [a, b) of one output row. poolH = he - hs before clipping;
 * [h0, h1) the clipped rows. bwd = false: y[ow] = sum / divisor. bwd = true: g[window] += gy[ow] / divisor
 * (yr is then gy's row and xp gx's plane); direct: g[window] = 0 + gy[ow] / divisor, the same bits for
 * windows that tile the input (each element gets one contribution) without reading g.
 */
// @ts-ignore: decorator
@inline function avgRowScalar(
  yr: usize, xp: usize, W: i32, poolH: i32, h0: i32, h1: i32,
  a: i32, b: i32, KW: i32, sw: i32, pw: i32, cip: i32, ovr: i32, bwd: bool, direct: bool,
): void {
  for (let ow = a; ow < b; ow++) {
    let ws = ow * sw - pw;
    let we = min(ws + KW, W + pw);
    const poolW = we - ws;
    ws = max(ws, 0);
    we = min(we, W);
    if (h0 >= h1 || ws >= we) {
      if (!bwd) store<f32>(at(yr, ow), 0);
      continue;
    }
    const div = <f32>(ovr != 0 ? ovr : cip != 0 ? poolH * poolW : (h1 - h0) * (we - ws));
    if (bwd) {
      const d = load<f32>(at(yr, ow)) / div;
      for (let ih = h0; ih < h1; ih++) {
        for (let iw = ws; iw < we; iw++) {
          const q = at(xp, ih * W + iw);
          store<f32>(q, (direct ? <f32>0 : load<f32>(q)) + d);
        }
      }
    } else {
      let s: f32 = 0;
      for (let ih = h0; ih < h1; ih++) {
        for (let iw = ws; iw < we; iw++) s += load<f32>(at(xp, ih * W + iw));
      }
      store<f32>(at(yr, ow), s / div);
    }
  }
}

/**
 * SIMD part of one output row: columns [lo, hi) are interior (the column window is KW wide, unclipped).
 * Returns the first column left for the scalar code. Only reached from the f32x4 kernels.
 */
// @ts-ignore: decorator
@inline function avgRowSimd(
  row: usize, plane: usize, W: i32, poolH: i32, h0: i32, h1: i32, lo: i32, hi: i32,
  KW: i32, sw: i32, pw: i32, cip: i32, ovr: i32, bwd: bool, direct: bool,
): i32 {
  if (!ASC_FEATURE_SIMD) { unreachable(); return 0; }
  const dv = f32x4.splat(<f32>(ovr != 0 ? ovr : (cip != 0 ? poolH : h1 - h0) * KW));
  let ow = lo;
  if (bwd) {
    const zero = f32x4.splat(0);
    for (; ow + 4 <= hi; ow += 4) {
      const d = f32x4.div(v128.load(at(row, ow)), dv);
      const dlo = f32x4.shuffle(d, zero, 0, 4, 1, 4); // (d0, 0, d1, 0) for stride 2
      const dhi = f32x4.shuffle(d, zero, 2, 4, 3, 4); // (d2, 0, d3, 0)
      for (let ih = h0; ih < h1; ih++) {
        let q = at(plane, ih * W + ow * sw - pw);
        if (sw == 2 && KW == 2) {
          // 2-wide stride-2 windows tile the 8 floats: (d0,d0,d1,d1), (d2,d2,d3,d3)
          const g0 = direct ? zero : v128.load(q);
          const g1 = direct ? zero : v128.load(q, 16);
          v128.store(q, f32x4.add(g0, f32x4.shuffle(d, d, 0, 0, 1, 1)));
          v128.store(q, f32x4.add(g1, f32x4.shuffle(d, d, 2, 2, 3, 3)), 16);
          continue;
        }
        for (let kw = 0; kw < KW; kw++) {
          if (sw == 1) {
            v128.store(q, f32x4.add(v128.load(q), d));
          } else {
            v128.store(q, f32x4.add(v128.load(q), dlo));
            v128.store(q, f32x4.add(v128.load(q, 16), dhi), 16);
          }
          q += 4;
        }
      }
    }
    return ow; // the remainder runs scalar: no overlapping group when accumulating
  }
  for (;;) {
    if (ow + 4 > hi) {
      if (ow >= hi) break;
      ow = hi - 4; // overlapping last group, harmless when overwriting
    }
    let acc = f32x4.splat(0);
    for (let ih = h0; ih < h1; ih++) {
      let q = at(plane, ih * W + ow * sw - pw);
      if (sw == 2 && KW == 2) { // shared loads; same per-lane order (kw 0 then 1)
        const v0 = v128.load(q);
        const v1 = v128.load(q, 16);
        acc = f32x4.add(acc, f32x4.shuffle(v0, v1, 0, 2, 4, 6));
        acc = f32x4.add(acc, f32x4.shuffle(v0, v1, 1, 3, 5, 7));
        continue;
      }
      for (let kw = 0; kw < KW; kw++) {
        acc = f32x4.add(acc, loadStrided(q, sw));
        q += 4;
      }
    }
    v128.store(at(row, ow), f32x4.div(acc, dv));
    ow += 4;
  }
  return hi;
}

// @ts-ignore: decorator
@inline function avgAll(
  out: usize, inp: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, cip: i32, ovr: i32, bwd: bool, simd: bool, overwrite: bool, direct: bool,
): void {
  // fwd: out = y (P,OH,OW), inp = x (P,H,W). bwd: out = gx (P,H,W) accumulated, inp = gy (P,OH,OW).
  // bwd with overwrite: rows of gx are zeroed just before the first window reaches them (see pool_max_bwd.ts),
  // then accumulated as usual, which gives bit for bit what accumulating into a zeroed gx gives. Windows that
  // tile the input (KH == sh, KW == sw: each element in at most one window) are written directly instead
  // (direct, a constant: the caller checks the geometry), and only the elements outside every window are
  // zeroed.
  const coverEnd = min(W, (OW - 1) * sw - pw + KW); // columns from here on are in no window
  let lo = firstInterior(pw, sw);
  // Stride-2 strided loads read one float past the window, except the 2-wide path's shared loads.
  let hi = endInterior(W, KW, sw == 2 && KW != 2 ? 1 : 0, pw, sw, OW);
  if (!simd || hi - lo < 4 || (bwd && sw > 2)) { lo = 0; hi = 0; }
  for (let p = 0; p < P; p++) {
    const plane = at(bwd ? out : inp, p * H * W);
    let zeroed = 0;
    for (let oh = 0; oh < OH; oh++) {
      const row = at(bwd ? inp : out, (p * OH + oh) * OW);
      const hs = oh * sh - ph;
      const he = min(hs + KH, H + ph);
      const h0 = max(hs, 0);
      const h1 = min(he, H);
      if (direct && h1 > h0) {
        if (h0 > zeroed) zeroFloats(at(plane, zeroed * W), (h0 - zeroed) * W, simd);
        if (coverEnd < W) for (let ih = h0; ih < h1; ih++) zeroFloats(at(plane, ih * W + coverEnd), W - coverEnd, simd);
        zeroed = h1;
      } else if (bwd && overwrite && h1 > zeroed) {
        zeroFloats(at(plane, zeroed * W), (h1 - zeroed) * W, simd);
        zeroed = h1;
      }
      let a = 0;
      if (simd && h1 > h0 && hi > lo) {
        avgRowScalar(row, plane, W, he - hs, h0, h1, 0, lo, KW, sw, pw, cip, ovr, bwd, direct);
        a = avgRowSimd(row, plane, W, he - hs, h0, h1, lo, hi, KW, sw, pw, cip, ovr, bwd, direct);
      }
      avgRowScalar(row, plane, W, he - hs, h0, h1, a, OW, KW, sw, pw, cip, ovr, bwd, direct);
    }
    if (bwd && overwrite) zeroFloats(at(plane, zeroed * W), (H - zeroed) * W, simd);
  }
}

/**
 * 2x2 windows tiling the planes exactly (stride 2, no padding, H = 2*OH, W = 2*OW): the P planes are one
 * stream of R = P*OH row pairs, walked without per-plane or per-row window arithmetic, four outputs per step
 * (LeNet's 10x10 and 28x28 planes spent most of their time in that bookkeeping). Same operations and order as
 * the general path: fwd y = (((0 + x00) + x01) + x10) + x11) / div; bwd (overwrite) each of the four
 * elements = 0 + gy / div. A row's last group overlaps the previous one when OW % 4 != 0 (it rewrites the
 * same values); rows narrower than 4 run scalar.
 *   fwd: out y (R, OW), inp x (R, 2, W)     bwd: out gx (R, 2, W), inp gy (R, OW)
 */
function avgTiled2x2(out: usize, inp: usize, R: i32, W: i32, OW: i32, div: f32, bwd: bool): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const dv = f32x4.splat(div);
  const zero = f32x4.splat(0);
  const rowBytes = <usize>W << 2;
  for (let r = 0; r < R; r++) {
    const pair = (bwd ? out : inp) + <usize>r * (rowBytes << 1); // top row; the bottom row is rowBytes on
    const small = (bwd ? inp : out) + ((<usize>r * OW) << 2);
    let j = 0;
    if (OW >= 4) {
      for (;;) {
        if (j + 4 > OW) {
          if (j >= OW) break;
          j = OW - 4;
        }
        const t = pair + (<usize>j << 3);
        const s = small + (<usize>j << 2);
        if (bwd) {
          const d = f32x4.div(v128.load(s), dv);
          const d01 = f32x4.add(zero, f32x4.shuffle(d, d, 0, 0, 1, 1));
          const d23 = f32x4.add(zero, f32x4.shuffle(d, d, 2, 2, 3, 3));
          v128.store(t, d01);
          v128.store(t, d23, 16);
          v128.store(t + rowBytes, d01);
          v128.store(t + rowBytes, d23, 16);
        } else {
          const a0 = v128.load(t), a1 = v128.load(t, 16);
          const b0 = v128.load(t + rowBytes), b1 = v128.load(t + rowBytes, 16);
          let acc = f32x4.add(zero, f32x4.shuffle(a0, a1, 0, 2, 4, 6));
          acc = f32x4.add(acc, f32x4.shuffle(a0, a1, 1, 3, 5, 7));
          acc = f32x4.add(acc, f32x4.shuffle(b0, b1, 0, 2, 4, 6));
          acc = f32x4.add(acc, f32x4.shuffle(b0, b1, 1, 3, 5, 7));
          v128.store(s, f32x4.div(acc, dv));
        }
        j += 4;
      }
      continue;
    }
    for (; j < OW; j++) {
      const t = pair + (<usize>j << 3);
      const s = small + (<usize>j << 2);
      if (bwd) {
        const d: f32 = <f32>0 + load<f32>(s) / div;
        store<f32>(t, d);
        store<f32>(t, d, 4);
        store<f32>(t + rowBytes, d);
        store<f32>(t + rowBytes, d, 4);
      } else {
        const sum = (((<f32>0 + load<f32>(t)) + load<f32>(t, 4)) + load<f32>(t + rowBytes)) + load<f32>(t + rowBytes, 4);
        store<f32>(s, sum / div);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function avgSimd(
  out: usize, inp: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, cip: i32, ovr: i32, bwd: bool, ow: bool,
): void {
  if (KH == 2 && KW == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && H == 2 * OH && W == 2 * OW && (!bwd || ow)) {
    avgTiled2x2(out, inp, P * OH, W, OW, ovr != 0 ? <f32>ovr : <f32>4, bwd);
  } else if (sw == 2 && KW == 2 && ow && KH == sh) {
    avgAll(out, inp, P, H, W, OH, OW, KH, 2, sh, 2, ph, pw, cip, ovr, true, true, true, true);
  } else if (sw == 2 && KW == 2) {
    avgAll(out, inp, P, H, W, OH, OW, KH, 2, sh, 2, ph, pw, cip, ovr, bwd, true, ow, false);
  } else if (sw == 1) avgAll(out, inp, P, H, W, OH, OW, KH, KW, sh, 1, ph, pw, cip, ovr, bwd, true, ow, false);
  else if (sw == 2) avgAll(out, inp, P, H, W, OH, OW, KH, KW, sh, 2, ph, pw, cip, ovr, bwd, true, ow, false);
  else avgAll(out, inp, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, cip, ovr, bwd, true, ow, false);
}

/**
 * Average pooling forward. y (P,OH,OW) overwritten; x (P,H,W). countIncludePad 0/1; divisorOverride 0 = none.
 * divisor = override, else (he-hs)(we-ws) before clipping if countIncludePad, else the clipped window area;
 * an empty window gives 0. The sum runs in f32 in row-major window order (PyTorch's CPU order).
 */
export function avg_pool2d_fwd_f32x4(
  y: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, divisorOverride: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  avgSimd(y, x, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, divisorOverride, false, false);
}

/** Scalar twin of avg_pool2d_fwd_f32x4. */
export function avg_pool2d_fwd_scalar(
  y: usize, x: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, divisorOverride: i32,
): void {
  avgAll(y, x, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, divisorOverride, false, false, false, false);
}

/**
 * Average pooling backward: gx (P,H,W) += gy (P,OH,OW) / divisor on every in-bounds element of each window
 * (same divisor rules as the forward), or gx = that sum when overwrite != 0 (gx's previous contents are then
 * never read). Vectorised for strides 1 and 2; other strides run the scalar loop.
 */
export function avg_pool2d_bwd_f32x4(
  gx: usize, gy: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, divisorOverride: i32, overwrite: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  avgSimd(gx, gy, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, divisorOverride, true, overwrite != 0);
}

/** Scalar twin of avg_pool2d_bwd_f32x4. */
export function avg_pool2d_bwd_scalar(
  gx: usize, gy: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, divisorOverride: i32, overwrite: i32,
): void {
  if (overwrite != 0 && KH == sh && KW == sw) { // windows tile the input: written directly
    avgAll(gx, gy, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, divisorOverride, true, false, true, true);
  } else {
    avgAll(gx, gy, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, divisorOverride, true, false, overwrite != 0, false);
  }
}
