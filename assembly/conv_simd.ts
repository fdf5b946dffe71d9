// The three f32x4 convolution passes, as GEMMs on the engine of conv_gemm.ts (internal: the exported kernels
// in conv2d.ts and conv_transpose2d.ts are thin wrappers around these).
//
// Everything is written in the conv2d view: input planes (C, H, W), output planes (O, OH, OW), weight
// (O, C/G, KH, KW); per group g the weight block is a (Og x Kd) matrix with Kd = Cg*KH*KW (row o, column
// kk = (c*KH + u)*KW + v), and col(x) is the (Kd x P) im2col matrix of the input, P = OH*OW.
//   forward:      y_g  (Og x P)  (+)= W_g @ col(x_g)          im2col packed straight into GEMM panels
//   input grad:   gx_g           +=  col2im(W_g^T @ gy_g)     in column blocks, through a scratch cols block
//   weight grad:  gW_g (Og x Kd) +=  sum_n gy_g @ col(x_g)^T  im2col lines transposed into GEMM panels
// A pointwise conv (1x1 kernel, stride 1, no padding, OH = H and OW = W) has col(x) = x and skips im2col and
// col2im entirely. Groups are a loop with pointer offsets. Two shapes leave for other algorithms first:
//   - 3x3, dilation 1, stride 1 or 2, >= 16 channels in and out: Winograd (conv_winograd.ts), 2.25x resp.
//     1.44x fewer multiplies; the input gradient of the stride-1 case too (a forward conv of gy with the
//     rotated weight), and its weight gradient (conv_winograd_wgrad.ts) where an image has enough tiles;
//   - the input gradient of 4x4 stride-2 convs (ConvTranspose2d k4 s2's forward), >= 16 channels in and out:
//     two F(2,2) products per output parity (conv_winograd_t2.ts), 1.78x fewer multiplies;
//   - the forward with >= 8 images, output rows narrower than 32 and a small input (LeNet): 8 images per
//     GEMM panel (conv_batched.ts), so that short rows waste no panel lanes and need no im2col gathering;
//     its lane-interleaved copy of 8 padded images is limited to 1 MiB;
//   - else, the forward of groups with one input channel (a single image through LeNet's conv1, depthwise
//     convs on larger planes), stride and dilation 1, >= 8 output columns: output rows in the vector lanes
//     (conv_direct.ts), where the GEMM's depth would be only KH*KW. Measured against im2col + GEMM: LeNet
//     conv1 on one image 2.3-2.6x, depthwise 3x3 on 56x56 4.5x; the batched path stays ahead on small
//     planes (depthwise 14x14 at N = 8: 1.3-1.5x), hence the order.
import { scratch } from "./memory";
import { gemm_packed, pack_copy, pack_transpose, MR, NR, KC } from "./conv_gemm";
import { set_geometry, im2col_line, im2col_panels, col2im_line_add } from "./conv_im2col";
import { conv_fwd_winograd, winograd_safe } from "./conv_winograd";
import { conv_fwd_batched, conv_bwd_filter_batched } from "./conv_batched";
import { try_conv_bwd_input_batched, try_conv_bwd_input_scatter } from "./conv_batched_bwd";
import { conv_bwd_filter_winograd } from "./conv_winograd_wgrad";
import { conv_bwd_input_winograd_t2 } from "./conv_winograd_t2";
import { conv_fwd_direct1, conv_bwd_filter_direct1, direct1_applies, try_conv_bwd_input_direct1 } from "./conv_direct";

/** Output positions per forward column block (the packed im2col block is at most KC x FWD_NC floats). */
const FWD_NC: i32 = 256;
/** Floats in the scratch cols block of the input gradient (its column count is this / Kd). */
const COLS_FLOATS: i32 = 32768;
/** Weight-gradient columns (kernel taps) per packed block. */
const WGRAD_NC: i32 = 1024;

// @ts-ignore: decorator
@inline
function is_pointwise(H: i32, W: i32, KH: i32, KW: i32, OH: i32, OW: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return KH == 1 && KW == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && OH == H && OW == W;
}

/**
 * Whether a 3x3 dilation-1 convolution of stride 1 or 2 (in the conv2d view) goes through Winograd
 * (conv_winograd.ts): enough channels for its GEMMs to run at speed, a whole output tile, transformed
 * weights of at most 16 or 25 x 1 MiB (the scratch they need), and data that the transforms cannot turn
 * into NaN or overflow (checked last: it reads x and w once).
 */
function use_winograd(x: usize, nx: i32, w: usize, nw: i32, Cg: i32, Og: i32, OH: i32, OW: i32, depth: i32): bool {
  return Cg >= 16 && Og >= 16 && Cg * Og <= 262144 && OH >= 4 && OW >= 4 && winograd_safe(x, nx, w, nw, depth);
}

/**
 * Packs rows k0 .. k0+kc-1, columns p0 .. p0+nc-1 of col(x_g) into NR-column GEMM panels.
 *   bp: (ceil(nc/NR), kc, NR) packed    xg: (Cg, H, W) the group's input channels
 */
function pack_im2col(bp: usize, xg: usize, H: i32, W: i32, KH: i32, KW: i32, k0: i32, kc: i32, p0: i32, nc: i32, pointwise: bool): void {
  const npan = (nc + NR - 1) / NR;
  const bps = <usize>kc * (NR * 4);
  const HW = <usize>H * W;
  if (pointwise) {
    for (let jp = 0; jp < npan; jp++) {
      const j = p0 + jp * NR;
      pack_copy(bp + <usize>jp * bps, xg + ((<usize>k0 * HW + j) << 2), HW << 2, min(NR, p0 + nc - j), NR, kc);
    }
    return;
  }
  const KK = KH * KW;
  for (let k = 0; k < kc; k++) {
    const kk = k0 + k;
    const c = kk / KK;
    const r = kk - c * KK;
    const u = r / KW;
    im2col_panels(bp + <usize>k * (NR * 4), bps, xg + ((<usize>c * HW) << 2), u, r - u * KW, p0, nc);
  }
}

/**
 * Forward in the conv2d view: y = b + W * x (cross-correlation), y overwritten (acc = false) or added to.
 * The bias is added where each output is first written (never with acc), which saves a pass over y.
 *   y: (N, O, OH, OW)   x: (N, C, H, W)   w: (O, C/G, KH, KW)   b: (O) or 0
 */
export function conv_fwd_simd(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32, acc: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, Kd = Cg * KH * KW, P = OH * OW;
  const HW = <usize>H * W;
  set_geometry(H, W, OW, sh, sw, ph, pw, dh, dw);
  if (KH == 3 && KW == 3 && sh == sw && (sh == 1 || sh == 2) && dh == 1 && dw == 1 &&
    OH == (H + 2 * ph - 3) / sh + 1 && OW == (W + 2 * pw - 3) / sw + 1 &&
    use_winograd(x, N * C * H * W, w, O * Cg * 9, Cg, Og, OH, OW, Cg)) {
    conv_fwd_winograd(y, x, w, b, N, C, H, W, O, OH, OW, ph, pw, G, sh, acc, false);
    return;
  }
  const pointwise = is_pointwise(H, W, KH, KW, OH, OW, sh, sw, ph, pw);
  if (!pointwise && N >= 8 && OW < 32 && Cg * (H + 2 * ph) * (W + 2 * pw) <= 32768) {
    conv_fwd_batched(y, x, w, b, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G, acc);
    return;
  }
  if (direct1_applies(Cg, H, W, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw)) {
    conv_fwd_direct1(y, x, w, b, N, H, W, O, KH, KW, OH, OW, ph, pw, G, acc);
    return;
  }
  // The whole weight, packed once per call: group g, row panel i at ap + g*gps + i*aps.
  const mpan = (Og + MR - 1) / MR;
  const aps = <usize>Kd * (MR * 4);
  const gps = <usize>mpan * aps;
  const ap = scratch(0, <usize>G * gps);
  for (let g = 0; g < G; g++) {
    for (let ip = 0; ip < mpan; ip++) {
      const o = g * Og + ip * MR;
      pack_transpose(ap + <usize>g * gps + <usize>ip * aps, w + ((<usize>o * Kd) << 2), <usize>Kd << 2, min(MR, Og - ip * MR), MR, Kd);
    }
  }
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const xg = x + ((<usize>(n * C + g * Cg) * HW) << 2);
      const yg = y + ((<usize>(n * O + g * Og) * P) << 2);
      const apg = ap + <usize>g * gps;
      for (let p0 = 0; p0 < P; p0 += FWD_NC) {
        const nc = min(FWD_NC, P - p0);
        for (let k0 = 0; k0 < Kd; k0 += KC) {
          const kc = min(KC, Kd - k0);
          const bp = scratch(1, <usize>((nc + NR - 1) / NR) * kc * (NR * 4));
          pack_im2col(bp, xg, H, W, KH, KW, k0, kc, p0, nc, pointwise);
          const bg = b && k0 == 0 ? b + (<usize>(g * Og) << 2) : 0;
          gemm_packed(apg + (<usize>k0 << 4), aps, bp, Og, nc, kc, yg + (<usize>p0 << 2), <usize>P << 2, acc || k0 > 0, bg);
        }
      }
    }
  }
}

/**
 * The input gradient by Winograd where it applies, true if done: gx (+)= conv2d's adjoint of gy (+ b where gx
 * is overwritten: ConvTranspose2d's forward saves its bias fill). Shapes as in conv_bwd_input_simd; b: (C) or 0.
 */
export function try_conv_bwd_input_winograd(
  gx: usize, gy: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32, acc: bool,
): bool {
  if (!ASC_FEATURE_SIMD) { unreachable(); return false; }
  const Cg = C / G, Og = O / G, P = OH * OW;
  if (dh != 1 || dw != 1) return false;
  // 3x3 stride 1: gx is the forward convolution of gy (padded by 2 - p) with the weight transposed and
  // rotated.
  if (KH == 3 && KW == 3 && sh == 1 && sw == 1 && ph <= 2 && pw <= 2 &&
    OH == H + 2 * ph - 2 && OW == W + 2 * pw - 2 && use_winograd(gy, N * O * P, w, O * Cg * 9, Og, Cg, H, W, Og)) {
    conv_fwd_winograd(gx, gy, w, b, N, O, OH, OW, C, H, W, 2 - ph, 2 - pw, G, 1, acc, true);
    return true;
  }
  // 4x4 stride 2 (ConvTranspose2d k4 s2 forward), padding 0..3: per output parity two F(2,2) products
  // (conv_winograd_t2.ts), 1.78x fewer multiplies. Each gx value sums 4 taps of Og channels.
  if (KH == 4 && KW == 4 && sh == 2 && sw == 2 && ph <= 3 && pw <= 3 &&
    OH == (H + 2 * ph - 4) / 2 + 1 && OW == (W + 2 * pw - 4) / 2 + 1 &&
    use_winograd(gy, N * O * P, w, O * Cg * 16, Cg, Og, H, W, 4 * Og)) {
    conv_bwd_input_winograd_t2(gx, gy, w, b, N, C, H, W, O, OH, OW, ph, pw, G, acc);
    return true;
  }
  return false;
}

/**
 * Input gradient in the conv2d view: gx += conv2d's adjoint of gy (accumulates).
 *   gx: (N, C, H, W)   gy: (N, O, OH, OW)   w: (O, C/G, KH, KW)
 */
export function conv_bwd_input_simd(
  gx: usize, gy: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  // Small images in batches (LeNet), 8 images in the lanes (conv_batched_bwd.ts): scattered for Og >= 8, else a
  // padded forward for stride 1.
  if (try_conv_bwd_input_scatter(gx, gy, w, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G)) return;
  if (try_conv_bwd_input_batched(gx, gy, w, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G)) return;
  // Depthwise, stride 1: a padded forward with the kernels rotated, output rows in the lanes (conv_direct.ts).
  if (try_conv_bwd_input_direct1(gx, gy, w, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G)) return;
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Cg * KK, P = OH * OW;
  const HW = <usize>H * W;
  if (try_conv_bwd_input_winograd(gx, gy, w, 0, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G, true)) return;
  set_geometry(H, W, OW, sh, sw, ph, pw, dh, dw);
  const pointwise = is_pointwise(H, W, KH, KW, OH, OW, sh, sw, ph, pw);
  // A = W_g^T (Kd x Og), packed once: group g, row panel i (taps 4i..4i+3) at ap + g*gps + i*aps.
  const mpan = (Kd + MR - 1) / MR;
  const aps = <usize>Og * (MR * 4);
  const gps = <usize>mpan * aps;
  const ap = scratch(0, <usize>G * gps);
  for (let g = 0; g < G; g++) {
    for (let ip = 0; ip < mpan; ip++) {
      const src = w + ((<usize>g * Og * Kd + ip * MR) << 2);
      pack_copy(ap + <usize>g * gps + <usize>ip * aps, src, <usize>Kd << 2, min(MR, Kd - ip * MR), MR, Og);
    }
  }
  // Columns (output positions) per block: the cols block Kd x nb stays in L2.
  let NB = pointwise ? 512 : (COLS_FLOATS / Kd) & ~(NR - 1);
  if (NB < NR) NB = NR;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const gyg = gy + ((<usize>(n * O + g * Og) * P) << 2);
      const gxg = gx + ((<usize>(n * C + g * Cg) * HW) << 2);
      const apg = ap + <usize>g * gps;
      for (let p0 = 0; p0 < P; p0 += NB) {
        const nb = min(NB, P - p0);
        const npan = (nb + NR - 1) / NR;
        const cols = pointwise ? gxg + (<usize>p0 << 2) : scratch(2, <usize>Kd * nb * 4);
        const ldc: usize = pointwise ? HW << 2 : <usize>nb << 2;
        for (let k0 = 0; k0 < Og; k0 += KC) {
          const kc = min(KC, Og - k0);
          const bps = <usize>kc * (NR * 4);
          const bp = scratch(1, <usize>npan * bps);
          for (let jp = 0; jp < npan; jp++) {
            const j = p0 + jp * NR;
            pack_copy(bp + <usize>jp * bps, gyg + ((<usize>k0 * P + j) << 2), <usize>P << 2, min(NR, p0 + nb - j), NR, kc);
          }
          gemm_packed(apg + (<usize>k0 << 4), aps, bp, Kd, nb, kc, cols, ldc, pointwise || k0 > 0);
        }
        if (!pointwise) {
          for (let kk = 0; kk < Kd; kk++) {
            const c = kk / KK;
            const r = kk - c * KK;
            const u = r / KW;
            col2im_line_add(gxg + ((<usize>c * HW) << 2), cols + <usize>kk * ldc, u, r - u * KW, p0, nb);
          }
        }
      }
    }
  }
}

/**
 * Weight gradient in the conv2d view: gw += sum_n gy (x) col(x) (accumulates).
 *   gw: (O, C/G, KH, KW)   gy: (N, O, OH, OW)   x: (N, C, H, W)
 */
export function conv_bwd_filter_simd(
  gw: usize, gy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Cg * KK, P = OH * OW;
  const HW = <usize>H * W;
  set_geometry(H, W, OW, sh, sw, ph, pw, dh, dw);
  const pointwise = is_pointwise(H, W, KH, KW, OH, OW, sh, sw, ph, pw);
  // Small images in batches (LeNet): 8 images in the vector lanes, no im2col (conv_batched.ts). Limited to
  // small Og and Kd, where the im2col GEMM's tiles are mostly waste, and to interleaved copies that stay in
  // cache (gy's at most 256 KiB, x's at most 1 MiB).
  if (!pointwise && N >= 8 && OW < 32 && Og <= 32 && Kd <= 512 && Og * P <= 8192 &&
    Cg * (H + 2 * ph) * (W + 2 * pw) <= 32768) {
    conv_bwd_filter_batched(gw, gy, x, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G);
    return;
  }
  // One input channel per group, stride 1: taps summed over positions in the lanes (conv_direct.ts).
  if (direct1_applies(Cg, H, W, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw)) {
    conv_bwd_filter_direct1(gw, gy, x, N, H, W, O, KH, KW, OH, OW, ph, pw, G);
    return;
  }
  // 3x3 stride 1: Winograd F(2x2, 3x3) (conv_winograd_wgrad.ts), 2.25x fewer multiplies. Its GEMMs
  // reduce over one image's tiles into a 16 x Og x Cg accumulator, so few tiles (< 32) with a large
  // accumulator (> 256 KiB) are slower than im2col (measured: 512 channels at 7x7 0.7x, 256 at 10x10 1.1x;
  // 64 at 8x8 1.4x, 256 at 14x14 1.45x). gy plays the weights' part in the guard; the direct sums run
  // over the N * OH * OW positions.
  if (KH == 3 && KW == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 &&
    OH == H + 2 * ph - 2 && OW == W + 2 * pw - 2 &&
    (((OH + 1) >> 1) * ((OW + 1) >> 1) >= 32 || Cg * Og <= 4096) &&
    use_winograd(x, N * C * H * W, gy, N * O * P, Cg, Og, OH, OW, N * P)) {
    conv_bwd_filter_winograd(gw, gy, x, N, C, H, W, O, OH, OW, ph, pw, G);
    return;
  }
  const mpan = (Og + MR - 1) / MR;
  // The GEMM depth is the output positions, in blocks of at most KC of equal size (784 positions: 4 x 196, not
  // 3 x 256 + 16, whose last block would pay a whole pass over gw's tiles for 16 steps).
  const nblk = (P + KC - 1) / KC;
  const KB = (P + nblk - 1) / nblk;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const gyg = gy + ((<usize>(n * O + g * Og) * P) << 2);
      const xg = x + ((<usize>(n * C + g * Cg) * HW) << 2);
      const gwg = gw + ((<usize>g * Og * Kd) << 2);
      for (let p0 = 0; p0 < P; p0 += KB) {
        const kc = min(KB, P - p0);
        const aps = <usize>kc * (MR * 4);
        const ap = scratch(0, <usize>mpan * aps);
        for (let ip = 0; ip < mpan; ip++) {
          const src = gyg + ((<usize>ip * MR * P + p0) << 2);
          pack_transpose(ap + <usize>ip * aps, src, <usize>P << 2, min(MR, Og - ip * MR), MR, kc);
        }
        const bps = <usize>kc * (NR * 4);
        for (let j0 = 0; j0 < Kd; j0 += WGRAD_NC) {
          const nc = min(WGRAD_NC, Kd - j0);
          const npan = (nc + NR - 1) / NR;
          const bp = scratch(1, <usize>npan * bps);
          for (let jp = 0; jp < npan; jp++) {
            const kk0 = j0 + jp * NR;
            const rows = min(NR, Kd - kk0);
            if (pointwise) {
              pack_transpose(bp + <usize>jp * bps, xg + ((<usize>kk0 * HW + p0) << 2), HW << 2, rows, NR, kc);
            } else {
              // NR im2col lines of length kc, then transposed into the panel.
              const lines = scratch(2, <usize>NR * kc * 4);
              for (let r = 0; r < rows; r++) {
                const kk = kk0 + r;
                const c = kk / KK;
                const t = kk - c * KK;
                const u = t / KW;
                im2col_line(lines + <usize>r * kc * 4, xg + ((<usize>c * HW) << 2), u, t - u * KW, p0, kc);
              }
              pack_transpose(bp + <usize>jp * bps, lines, <usize>kc << 2, rows, NR, kc);
            }
          }
          gemm_packed(ap, aps, bp, Og, nc, kc, gwg + (<usize>j0 << 2), <usize>Kd << 2, true);
        }
      }
    }
  }
}

/** y[n, o, :] = b[o] for every n, o (b = 0: zeros).  y: (N, O, P)   b: (O) or 0 */
export function fill_bias_simd(y: usize, b: usize, N: i32, O: i32, P: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const v: f32 = b ? load<f32>(b + (<usize>o << 2)) : 0;
      const vv = f32x4.splat(v);
      const row = y + ((<usize>(n * O + o) * P) << 2);
      let i = 0;
      for (; i + 4 <= P; i += 4) v128.store(row + (<usize>i << 2), vv);
      for (; i < P; i++) store<f32>(row + (<usize>i << 2), v);
    }
  }
}
