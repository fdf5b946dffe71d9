// Max pooling backward: the gradient of each output goes to the input element its window chose (the argmax
// saved by the forward, per-plane indices ih*W+iw). Re-exported by pool_max.ts.
//
// Two modes. Accumulate (overwrite = 0): gx += scatter, the autograd contract of backward kernels.
// Overwrite (overwrite = 1): gx = scatter, for a gradient buffer the caller has just allocated (its contents
// are never read). Rather than a separate zero fill, which writes gx to memory and then reads it back for the
// scatter, each band of input rows is zeroed just before the first output row whose windows reach it, so gx
// goes to memory once. Both modes add the contributions in the same order (output order, PyTorch's), so
// overwrite gives bit for bit what accumulate gives on a zeroed buffer.
//
// The SIMD twin's overwrite mode with 3x3 windows, stride 2, padding 1 (the common stem pool) gathers
// instead (pool_max_bwd_gather.ts): each gx line is computed from the outputs that reach it and stored once
// with full vectors, no zeroing, no read-modify-write (~10% less CPU time than the banded scatter on
// 8x64x112x112; both are close to the memory bound). The scalar twin keeps the scatter, cheaper in scalar code.

import { at, zeroFloats } from "./pool_common";
import { maxBwdGather3s2 } from "./pool_max_bwd_gather";

/**
 * gx[idx[j]] += gy[j] for j in [0, n), with idx in [0, zeroed * W) (rows below `zeroed` are zeroed).
 * Overwrite mode: an index at a row not zeroed yet (only an empty window's index can be, see
 * max_pool2d_fwd) zeroes the rows up to it first. Indices outside the plane are dropped. Returns `zeroed`.
 * The SIMD twin checks the whole row's indices first (one unsigned max), then scatters without checks.
 */
// @ts-ignore: decorator
@inline function scatter(
  gxp: usize, gyr: usize, ir: usize, n: i32, zeroed: i32, W: i32, HW: i32, simd: bool,
): i32 {
  let j = 0;
  if (ASC_FEATURE_SIMD && simd) {
    let m = i32x4.splat(0);
    let k = 0;
    for (; k + 4 <= n; k += 4) m = i32x4.max_u(m, v128.load(at(ir, k)));
    m = i32x4.max_u(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
    m = i32x4.max_u(m, i32x4.shuffle(m, m, 1, 0, 3, 2));
    if (<u32>i32x4.extract_lane(m, 0) < <u32>(zeroed * W)) {
      for (; j + 4 <= n; j += 4) {
        const iv = v128.load(at(ir, j));
        const gv = v128.load(at(gyr, j));
        let q = at(gxp, i32x4.extract_lane(iv, 0));
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(gv, 0));
        q = at(gxp, i32x4.extract_lane(iv, 1));
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(gv, 1));
        q = at(gxp, i32x4.extract_lane(iv, 2));
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(gv, 2));
        q = at(gxp, i32x4.extract_lane(iv, 3));
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(gv, 3));
      }
    }
  }
  for (; j < n; j++) {
    const i = load<i32>(at(ir, j));
    if (<u32>i >= <u32>(zeroed * W)) {
      if (<u32>i >= <u32>HW) continue; // bad input: the forward never writes such an index
      const r = i / W + 1;
      zeroFloats(at(gxp, zeroed * W), (r - zeroed) * W, simd);
      zeroed = r;
    }
    const q = at(gxp, i);
    store<f32>(q, load<f32>(q) + load<f32>(at(gyr, j)));
  }
  return zeroed;
}

// @ts-ignore: decorator
@inline function maxBwd(
  gx: usize, gy: usize, idx: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, sh: i32, ph: i32, dh: i32, overwrite: bool, gather3s2: bool, simd: bool,
): void {
  const HW = H * W;
  const OHW = OH * OW;
  // 3x3 s2 p1: build gx row by row instead (pool_max_bwd_gather.ts). SIMD only: scalar code scatters
  // faster than it gathers (one add per output against up to four compares per element).
  if (ASC_FEATURE_SIMD && simd && overwrite && gather3s2) {
    maxBwdGather3s2(gx, gy, idx, P, H, W, OH, OW);
    return;
  }
  const spanH = (KH - 1) * dh + 1;
  for (let p = 0; p < P; p++) {
    const gxp = at(gx, p * HW);
    const o = p * OHW;
    if (!overwrite) {
      scatter(gxp, at(gy, o), at(idx, o), OHW, H, W, HW, simd); // the whole plane counts as zeroed
      continue;
    }
    let zeroed = 0; // rows [0, zeroed) of this plane are zeroed (and may hold gradient already)
    for (let oh = 0; oh < OH; oh++) {
      const ih1 = min(oh * sh - ph + spanH, H); // windows of this output row end above ih1
      if (ih1 > zeroed) {
        zeroFloats(at(gxp, zeroed * W), (ih1 - zeroed) * W, simd);
        zeroed = ih1;
      }
      zeroed = scatter(gxp, at(gy, o + oh * OW), at(idx, o + oh * OW), OW, zeroed, W, HW, simd);
    }
    zeroFloats(at(gxp, zeroed * W), (H - zeroed) * W, simd);
  }
}

/** 3x3 windows, stride 2, padding 1, no dilation: the gather path's geometry. */
// @ts-ignore: decorator
@inline function is3s2(KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32): bool {
  return KH == 3 && KW == 3 && sh == 2 && sw == 2 && ph == 1 && pw == 1 && dh == 1 && dw == 1;
}

/**
 * Max pooling backward: gx (P,H,W) += gy (P,OH,OW) scattered to idx (P,OH,OW), or gx = that scatter when
 * overwrite != 0 (gx's previous contents are then never read). Overlapping windows accumulate in output
 * order. The geometry is the forward's (only KH, sh, ph, dh are used: they say which rows a window reaches).
 */
export function max_pool2d_bwd_f32x4(
  gx: usize, gy: usize, idx: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, overwrite: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  maxBwd(gx, gy, idx, P, H, W, OH, OW, KH, sh, ph, dh, overwrite != 0, is3s2(KH, KW, sh, sw, ph, pw, dh, dw), true);
}

/** Scalar twin of max_pool2d_bwd_f32x4. */
export function max_pool2d_bwd_scalar(
  gx: usize, gy: usize, idx: usize, P: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, overwrite: i32,
): void {
  maxBwd(gx, gy, idx, P, H, W, OH, OW, KH, sh, ph, dh, overwrite != 0, is3s2(KH, KW, sh, sw, ph, pw, dh, dw), false);
}
