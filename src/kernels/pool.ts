// Typed wrappers over the pooling kernels (assembly/pool_max.ts, pool_avg.ts): the only place that knows their
// argument order.
//
// Pointers are byte offsets into wasm linear memory; tensors are f32 NCHW, indices i32. The caller computes
// OH/OW with PyTorch's formula (ceil-mode correction included) and validates the options; kernels clip windows.
import { kernel } from "../wasm.js";

/** Shape of one pooling call. P = N*C planes; dh/dw (dilation) are 1 for average pooling. */
export interface PoolGeometry {
  P: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/**
 * Max pooling forward. y (P,OH,OW) f32 overwritten; idx (P,OH,OW) i32 overwritten with ih*W+iw within the
 * plane; x (P,H,W). PyTorch's rules: ties keep the first element (row-major scan), NaN propagates with the index
 * of the last NaN, an all -inf window gives its first in-bounds index.
 */
export function maxPool2dFwd(y: number, idx: number, x: number, g: PoolGeometry): void {
  kernel("max_pool2d_fwd")(y, idx, x, g.P, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw);
}

/**
 * Max pooling forward without indices, for when no gradient will be needed: y (P,OH,OW) gets the values
 * maxPool2dFwd gives.
 */
export function maxPool2dFwdValues(y: number, x: number, g: PoolGeometry): void {
  kernel("max_pool2d_fwd_values")(y, x, g.P, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw);
}

/**
 * Max pooling backward: gx (P,H,W) += gy (P,OH,OW) scattered to idx (P,OH,OW). With `overwrite`, gx = the
 * scatter instead: gx's contents are never read, so it may come from `empty` (no zero fill needed).
 */
export function maxPool2dBwd(gx: number, gy: number, idx: number, g: PoolGeometry, overwrite = false): void {
  kernel("max_pool2d_bwd")(
    gx, gy, idx, g.P, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, overwrite ? 1 : 0,
  );
}

/** divisorOverride: null/undefined/0 = none, else a positive integer. */
function override(divisorOverride: number | null | undefined): number {
  return divisorOverride ? divisorOverride | 0 : 0;
}

/**
 * Average pooling forward. y (P,OH,OW) overwritten; x (P,H,W). With countIncludePad the divisor counts zero
 * padding but never positions past the right padding (ceil mode); divisorOverride replaces it.
 */
export function avgPool2dFwd(
  y: number, x: number, g: PoolGeometry, countIncludePad: boolean, divisorOverride?: number | null,
): void {
  kernel("avg_pool2d_fwd")(
    y, x, g.P, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw,
    countIncludePad ? 1 : 0, override(divisorOverride),
  );
}

/**
 * Average pooling backward: gx (P,H,W) += gy (P,OH,OW) / divisor over each window's in-bounds elements. With
 * `overwrite`, gx = that sum instead: gx's contents are never read (it may come from `empty`).
 */
export function avgPool2dBwd(
  gx: number, gy: number, g: PoolGeometry, countIncludePad: boolean, divisorOverride?: number | null,
  overwrite = false,
): void {
  kernel("avg_pool2d_bwd")(
    gx, gy, g.P, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw,
    countIncludePad ? 1 : 0, override(divisorOverride), overwrite ? 1 : 0,
  );
}
