// conv2d kernels: forward, input gradient, weight gradient, bias gradient; f32x4 and scalar twins.
//
// PyTorch's Conv2d (cross-correlation, zero padding, dilation, groups). The TypeScript side validates the
// arguments and computes OH = floor((H + 2ph - dh(KH-1) - 1)/sh) + 1 (same for OW). Forward overwrites y;
// the backward kernels accumulate into their gradient buffers. The work is done in conv_simd.ts (GEMM based)
// and conv_scalar.ts (direct loops); conv_transpose2d.ts reuses the same internals with the roles swapped.
import { conv_fwd_simd, conv_bwd_input_simd, conv_bwd_filter_simd } from "./conv_simd";
import { conv_fwd_direct, conv_bwd_input_direct, conv_bwd_filter_direct } from "./conv_scalar";

export function conv2d_fwd_f32x4(
  y: usize, // (N, O, OH, OW) overwritten
  x: usize, // (N, C, H, W)
  w: usize, // (O, C/G, KH, KW)
  b: usize, // (O) or 0 for no bias
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  conv_fwd_simd(y, x, w, b, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G, false);
}

export function conv2d_fwd_scalar(
  y: usize, // (N, O, OH, OW) overwritten
  x: usize, // (N, C, H, W)
  w: usize, // (O, C/G, KH, KW)
  b: usize, // (O) or 0 for no bias
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  conv_fwd_direct(y, x, w, b, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G, false);
}

export function conv2d_bwd_input_f32x4(
  gx: usize, // (N, C, H, W) +=
  gy: usize, // (N, O, OH, OW)
  w: usize, // (O, C/G, KH, KW)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  conv_bwd_input_simd(gx, gy, w, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G);
}

export function conv2d_bwd_input_scalar(
  gx: usize, // (N, C, H, W) +=
  gy: usize, // (N, O, OH, OW)
  w: usize, // (O, C/G, KH, KW)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  conv_bwd_input_direct(gx, gy, w, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G);
}

export function conv2d_bwd_filter_f32x4(
  gw: usize, // (O, C/G, KH, KW) +=
  gy: usize, // (N, O, OH, OW)
  x: usize, // (N, C, H, W)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  conv_bwd_filter_simd(gw, gy, x, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G);
}

export function conv2d_bwd_filter_scalar(
  gw: usize, // (O, C/G, KH, KW) +=
  gy: usize, // (N, O, OH, OW)
  x: usize, // (N, C, H, W)
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  conv_bwd_filter_direct(gw, gy, x, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G);
}

/** gb[o] += sum over n and the P positions of gy[n, o, :] (also the bias gradient of conv_transpose2d). */
export function conv2d_bwd_bias_f32x4(
  gb: usize, // (O) +=
  gy: usize, // (N, O, P)
  N: i32, O: i32, P: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  for (let o = 0; o < O; o++) {
    // Each plane is summed in four f32x4 accumulators (16 lanes: independent add chains, so the loop runs at
    // the load rate instead of one add's latency per vector), the planes' sums in f64 (keeps large N*P sums
    // accurate).
    let s: f64 = 0;
    for (let n = 0; n < N; n++) {
      const row = gy + ((<usize>(n * O + o) * P) << 2);
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      let i = 0;
      for (; i + 16 <= P; i += 16) {
        const r = row + (<usize>i << 2);
        acc0 = f32x4.add(acc0, v128.load(r));
        acc1 = f32x4.add(acc1, v128.load(r, 16));
        acc2 = f32x4.add(acc2, v128.load(r, 32));
        acc3 = f32x4.add(acc3, v128.load(r, 48));
      }
      for (; i + 4 <= P; i += 4) acc0 = f32x4.add(acc0, v128.load(row + (<usize>i << 2)));
      let tail: f32 = 0;
      for (; i < P; i++) tail += load<f32>(row + (<usize>i << 2));
      const acc = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
      s += <f64>(f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + <f64>(f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)) + <f64>tail;
    }
    const p = gb + (<usize>o << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) + s));
  }
}

export function conv2d_bwd_bias_scalar(
  gb: usize, // (O) +=
  gy: usize, // (N, O, P)
  N: i32, O: i32, P: i32,
): void {
  for (let o = 0; o < O; o++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) {
      const row = gy + ((<usize>(n * O + o) * P) << 2);
      for (let i = 0; i < P; i++) s += <f64>load<f32>(row + (<usize>i << 2));
    }
    const p = gb + (<usize>o << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) + s));
  }
}
