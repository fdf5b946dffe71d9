// conv_transpose2d kernels: forward, input gradient, weight gradient; f32x4 and scalar twins.
//
// ConvTranspose2d is the adjoint of Conv2d. With x (N, C, H, W), weight (C, O/G, KH, KW) and
// y (N, O, OH, OW), OH = (H-1)*sh - 2ph + dh(KH-1) + output_padding + 1 (computed by the caller), it is exactly
// conv2d's input gradient for a conv2d whose input is y (O channels, OH x OW), whose output is x (C channels,
// H x W) and whose weight is w (C, O/G, KH, KW), i.e. the same tensor read with "out" and "in" swapped. So:
//   forward       = conv2d input gradient, with (gx, gy) := (y, x)
//   input grad    = conv2d forward of gy, accumulated into gx
//   weight grad   = conv2d weight gradient with (gy, x) := (x, gy)
// Every kernel below only renames arguments and calls the conv2d internals. The bias gradient is
// conv2d_bwd_bias on gy.
import { conv_fwd_simd, conv_bwd_input_simd, conv_bwd_filter_simd, fill_bias_simd, try_conv_bwd_input_winograd } from "./conv_simd";
import { conv_fwd_direct, conv_bwd_input_direct, conv_bwd_filter_direct, fill_bias_direct } from "./conv_scalar";

export function conv_transpose2d_fwd_f32x4(
  y: usize, // (N, O, OH, OW) overwritten, bias added
  x: usize, // (N, C, H, W)
  w: usize, // (C, O/G, KH, KW)
  b: usize, // (O) or 0 for no bias
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  // Winograd writes every output once, with the bias: no fill pass first.
  if (try_conv_bwd_input_winograd(y, x, w, b, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G, false)) return;
  fill_bias_simd(y, b, N, O, OH * OW);
  conv_bwd_input_simd(y, x, w, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G);
}

export function conv_transpose2d_fwd_scalar(
  y: usize, // (N, O, OH, OW) overwritten, bias added
  x: usize, // (N, C, H, W)
  w: usize, // (C, O/G, KH, KW)
  b: usize, // (O) or 0 for no bias
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  fill_bias_direct(y, b, N, O, OH * OW);
  conv_bwd_input_direct(y, x, w, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G);
}

export function conv_transpose2d_bwd_input_f32x4(
  gx: usize, // (N, C, H, W) +=
  gy: usize, // (N, O, OH, OW)
  w: usize, // (C, O/G, KH, KW)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  conv_fwd_simd(gx, gy, w, 0, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G, true);
}

export function conv_transpose2d_bwd_input_scalar(
  gx: usize, // (N, C, H, W) +=
  gy: usize, // (N, O, OH, OW)
  w: usize, // (C, O/G, KH, KW)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  conv_fwd_direct(gx, gy, w, 0, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G, true);
}

export function conv_transpose2d_bwd_filter_f32x4(
  gw: usize, // (C, O/G, KH, KW) +=
  gy: usize, // (N, O, OH, OW)
  x: usize, // (N, C, H, W)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  conv_bwd_filter_simd(gw, x, gy, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G);
}

export function conv_transpose2d_bwd_filter_scalar(
  gw: usize, // (C, O/G, KH, KW) +=
  gy: usize, // (N, O, OH, OW)
  x: usize, // (N, C, H, W)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  conv_bwd_filter_direct(gw, x, gy, N, O, OH, OW, C, KH, KW, H, W, sh, sw, ph, pw, dh, dw, G);
}
