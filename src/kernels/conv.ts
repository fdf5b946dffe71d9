// Typed wrappers over the conv2d and conv_transpose2d kernels (assembly/conv2d.ts, conv_transpose2d.ts):
// the only place that knows their argument order.
//
// Pointers are byte offsets into wasm linear memory; tensors are f32 NCHW. The caller validates shapes and
// options and computes OH/OW (conv2d: floor((H + 2ph - dh(KH-1) - 1)/sh) + 1; conv_transpose2d:
// (H-1)sh - 2ph + dh(KH-1) + output_padding + 1). Forward kernels overwrite y; backward kernels accumulate
// (+=) into their gradient buffers, which the caller zeroes once.
import { kernel } from "../wasm.js";

/**
 * One convolution call. For conv2d: x (N,C,H,W), weight (O,C/G,KH,KW), y (N,O,OH,OW). For conv_transpose2d:
 * x (N,C,H,W) with C = in_channels, weight (C,O/G,KH,KW), y (N,O,OH,OW). G (groups) divides C and O.
 */
export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  G: number;
}

// Explicit argument lists (no spread of a fresh array): small convolutions are latency-bound.
function call3(name: string, a: number, b: number, c: number, g: ConvGeometry): void {
  kernel(name)(a, b, c, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.G);
}

function call4(name: string, a: number, b: number, c: number, d: number, g: ConvGeometry): void {
  kernel(name)(a, b, c, d, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.G);
}

/**
 * Multiply-adds below which the direct loops (the scalar twins) beat the f32x4 twins, whose im2col, packing
 * and GEMM setup cost more than the arithmetic on the notebook's tiny convolutions (the 6x8 edge detection:
 * 0.34 vs 0.62 us). Measured crossover 700-1700 for every pass. The ops pass `direct`; the kernel tests call
 * each twin at every size.
 */
const DIRECT_MACS = 768;

/** Whether a pass of this convolution (conv2d, or conv_transpose2d when `transposed`) is tiny enough for the direct loops. */
export function preferDirect(g: ConvGeometry, transposed: boolean): boolean {
  const pixels = transposed ? g.C * g.H * g.W * g.O : g.O * g.OH * g.OW * g.C;
  return (g.N * pixels * g.KH * g.KW) / g.G < DIRECT_MACS;
}

/** The kernel export for a pass: `direct` forces the scalar twin (see preferDirect). */
const pick = (base: string, direct: boolean) => (direct ? `${base}_scalar` : base);

/** conv2d forward: y (N,O,OH,OW) = conv(x, w) + b; b = 0 for no bias. */
export function conv2dFwd(y: number, x: number, w: number, b: number, g: ConvGeometry, direct = false): void {
  call4(pick("conv2d_fwd", direct), y, x, w, b, g);
}

/** conv2d input gradient: gx (N,C,H,W) += conv_transpose(gy, w). */
export function conv2dBwdInput(gx: number, gy: number, w: number, g: ConvGeometry, direct = false): void {
  call3(pick("conv2d_bwd_input", direct), gx, gy, w, g);
}

/** conv2d weight gradient: gw (O,C/G,KH,KW) += sum over n, positions of gy (x) the input patches. */
export function conv2dBwdFilter(gw: number, gy: number, x: number, g: ConvGeometry, direct = false): void {
  call3(pick("conv2d_bwd_filter", direct), gw, gy, x, g);
}

/**
 * Bias gradient of conv2d and conv_transpose2d: gb (O) += sum over n and the P = OH*OW positions of
 * gy (N,O,P).
 */
export function conv2dBwdBias(gb: number, gy: number, N: number, O: number, P: number): void {
  kernel("conv2d_bwd_bias")(gb, gy, N, O, P);
}

/** conv_transpose2d forward: y (N,O,OH,OW) = conv_transpose(x, w) + b; b = 0 for no bias. */
export function convTranspose2dFwd(y: number, x: number, w: number, b: number, g: ConvGeometry, direct = false): void {
  call4(pick("conv_transpose2d_fwd", direct), y, x, w, b, g);
}

/** conv_transpose2d input gradient: gx (N,C,H,W) += conv2d(gy, w). */
export function convTranspose2dBwdInput(gx: number, gy: number, w: number, g: ConvGeometry, direct = false): void {
  call3(pick("conv_transpose2d_bwd_input", direct), gx, gy, w, g);
}

/** conv_transpose2d weight gradient: gw (C,O/G,KH,KW) += correlation of x with gy. */
export function convTranspose2dBwdFilter(gw: number, gy: number, x: number, g: ConvGeometry, direct = false): void {
  call3(pick("conv_transpose2d_bwd_filter", direct), gw, gy, x, g);
}
