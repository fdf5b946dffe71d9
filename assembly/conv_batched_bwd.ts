// Input gradient with the batch in the vector lanes (internal: called from conv_simd.ts), for stride 1,
// dilation 1 and small images (LeNet's layers).
//
// The im2col path computes cols = W_g^T @ gy_g, a GEMM of depth Og only (6 for LeNet's conv1 and 16 for its
// conv2), then adds Kd lines of cols back into gx (col2im): both run far below the GEMM's speed. With stride
// and dilation 1 the input gradient is instead a forward convolution of gy, zero-padded by (KH-1-ph,
// KW-1-pw), with the weight transposed (Og <-> Cg) and rotated by 180 degrees:
//   gx[c, i, j] += sum over (u, o, v) of gy_pad[o, i + u, j + v] * w[o, c, KH-1-u, KW-1-v]
// which runs as conv_batched.ts's forward does: 8 images interleaved in the lanes of a padded copy of gy,
// B rows read in place through a tap table, the 4x8 indirect GEMM (conv_indirect.ts) for each 4 input
// channels, and a one-row tile over 4 positions for the rest (LeNet's conv1 has one input channel).
// Two changes make the padded form pay:
//   - taps are ordered (u, o, v), so for output row i the taps whose row i + u lies in gy's zero padding
//     form a prefix and a suffix of the table and are skipped (with ph = 0, as LeNet's conv2, about half
//     of the padded form's products would be zeros; the column padding is still computed: ~30% for conv2);
//   - it only runs when the weight is finite: a padding zero times an infinite or NaN weight is a NaN that
//     PyTorch's sum (which only has the in-range taps) does not contain (non-finite weights go the im2col way).
// The order of summation differs from the im2col path (all taps of one row u, then the next).
import { scratch } from "./memory";
import { pack_copy, pack_transpose, MR, KC } from "./conv_gemm";
import { gemm_indirect_row, scatter_indirect_4x8 } from "./conv_indirect";
import { interleave, scatter, tap_table, zero_pixels, POS_BLOCK } from "./conv_batched";

/** Whether all n floats at p are finite (x - x is 0 for finite x, NaN for NaN and +-inf). */
export function all_finite(p: usize, n: i32): bool {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    s += v - v;
  }
  return s == 0;
}

/**
 * gx += conv2d's adjoint of gy as a padded forward convolution with 8 images in the lanes (see the header),
 * when the shape suits it (stride 1, dilation 1, >= 8 images, rows narrower than 32, the padded copy of 8
 * images' gy at most 1 MiB, a finite weight, not a shape for Winograd); returns false, doing nothing,
 * otherwise.
 *   gx: (N, C, H, W) +=   gy: (N, O, OH, OW)   w: (O, C/G, KH, KW)
 */
export function try_conv_bwd_input_batched(
  gx: usize, gy: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): bool {
  if (!ASC_FEATURE_SIMD) { unreachable(); return false; }
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Og * KK;
  // Padding of gy in the padded form; the output of the forward in the padded form is exactly (H, W).
  const qh = KH - 1 - ph, qw = KW - 1 - pw;
  const Hq = OH + 2 * qh, Wq = OW + 2 * qw;
  if (sh != 1 || sw != 1 || dh != 1 || dw != 1 || qh < 0 || qw < 0 || N < 8 || W >= 32) return false;
  if (OH != H + 2 * ph - KH + 1 || OW != W + 2 * pw - KW + 1) return false;
  if ((Cg >= 16 && Og >= 16) || Og * Hq * Wq > 32768) return false;
  if (!all_finite(w, O * Cg * KK)) return false;
  // Scratch 0: the rotated weight as rows arow (G, Cg, Kd) in tap order (u, o, v); its 4-row panels
  // (G, Cg/4, Kd, 4) for the 4x8 tiles; the tap table (Kd i32).
  const m4 = Cg & ~(MR - 1);
  const aps = <usize>Kd * (MR * 4);
  const gps = <usize>(m4 / MR) * aps;
  const rowBytes = <usize>Kd << 2;
  const arow = scratch(0, <usize>G * Cg * rowBytes + <usize>G * gps + rowBytes);
  const ap = arow + <usize>G * Cg * rowBytes;
  const tab = ap + <usize>G * gps;
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < Cg; c++) {
      const dst = arow + <usize>(g * Cg + c) * rowBytes;
      for (let u = 0; u < KH; u++) {
        for (let o = 0; o < Og; o++) {
          const src = w + ((<usize>((g * Og + o) * Cg + c) * KK + <usize>(KH - 1 - u) * KW + (KW - 1)) << 2);
          const d = dst + (<usize>((u * Og + o) * KW) << 2);
          for (let v = 0; v < KW; v++) store<f32>(d + (<usize>v << 2), load<f32>(src - (<usize>v << 2)));
        }
      }
    }
    for (let ip = 0; ip < m4 / MR; ip++) {
      pack_transpose(ap + <usize>g * gps + <usize>ip * aps, arow + <usize>(g * Cg + ip * MR) * rowBytes, rowBytes, MR, MR, Kd);
    }
  }
  for (let u = 0; u < KH; u++) {
    for (let o = 0; o < Og; o++) {
      for (let v = 0; v < KW; v++) {
        store<i32>(tab + (<usize>((u * Og + o) * KW + v) << 2), ((o * Hq + u) * Wq + v) << 5);
      }
    }
  }
  // C block: R whole output rows (as in conv_batched.ts: the one-row tiles write up to 3 positions past a
  // row); the padded gy copy has 4 pixels of slack for those tiles' reads past the last row.
  const R = max(1, POS_BLOCK / W);
  const ldc = <usize>(POS_BLOCK + 4) << 5;
  const cb = scratch(1, <usize>Cg * ldc);
  const gl = scratch(3, (<usize>Og * Hq * Wq + 4) << 5);
  const P = OH * OW;
  const gyStride = (<usize>O * P) << 2;
  const tapsPerRow = Og * KW;
  const runs = W % 4 == 0 || Cg % 4 != 0 ? KW : 0;
  const kcRuns = max(KW, KC - KC % KW);
  for (let n0 = 0; n0 < N; n0 += 8) {
    const L = min(8, N - n0);
    for (let g = 0; g < G; g++) {
      interleave(gl, gy + <usize>n0 * gyStride + ((<usize>g * Og * P) << 2), gyStride, L, Og, OH, OW, Hq, Wq, qh, qw);
      const apg = ap + <usize>g * gps;
      const arg = arow + <usize>g * Cg * rowBytes;
      for (let i0 = 0; i0 < H; i0 += R) {
        const nr = min(R, H - i0);
        for (let r = 0; r < nr; r++) {
          const i = i0 + r;
          // Taps of rows u with i + u inside gy (not its padding): a contiguous range of the (u, o, v) order;
          // never empty (OH >= 1 and ph < KH).
          const klo = max(0, qh - i) * tapsPerRow, khi = min(KH, qh + OH - i) * tapsPerRow;
          const base = gl + (<usize>(i * Wq) << 5);
          const cr = cb + (<usize>(r * W) << 5);
          // k blocks of whole kernel rows: the tiles slide along runs of KW taps (dilation 1), as in the forward.
          for (let k0 = klo; k0 < khi; k0 += kcRuns) {
            gemm_indirect_row(apg + (<usize>k0 << 4), aps, arg + (<usize>k0 << 2), rowBytes, base, 32, tab + (<usize>k0 << 2),
              Cg, min(kcRuns, khi - k0), W, cr, ldc, k0 > klo, runs);
          }
        }
        scatter(gx, cb, ldc, n0, L, g * Cg, Cg, C, H * W, i0 * W, nr * W, true, 0);
      }
    }
  }
  return true;
}

/**
 * gx += conv2d's adjoint of gy with 8 images in the lanes, by scattering: for each output position p, the
 * products W_g^T (Kd x Og, 4-tap panels) @ gy[:, p] (Og x 8 lanes) are added straight onto the input pixels
 * the taps came from, in a zero-padded lane-major accumulator gxl (Cg, Hp, Wp, 8) (conv_indirect.ts's
 * scatter tile), which is then added into gx without its padding. Exactly the products of the im2col path
 * (no padded-form zeros, any stride / dilation / padding, non-finite weights welcome); the tile's depth is Og,
 * so it pays for Og >= 8 (LeNet's conv2: 16). Returns false, doing nothing, when the shape does not suit it
 * (N < 8, Og < 8, a Winograd shape, gxl over 1 MiB or gy's interleaved copy over 256 KiB).
 *   gx: (N, C, H, W) +=   gy: (N, O, OH, OW)   w: (O, C/G, KH, KW)
 */
export function try_conv_bwd_input_scatter(
  gx: usize, gy: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): bool {
  if (!ASC_FEATURE_SIMD) { unreachable(); return false; }
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Cg * KK, P = OH * OW;
  const Hp = H + 2 * ph, Wp = W + 2 * pw;
  if (N < 8 || Og < 8 || (Cg >= 16 && Og >= 16) || Cg * Hp * Wp > 32768 || Og * P > 8192) return false;
  // Scratch 0: A = W_g^T in 4-tap panels (G, ceil(Kd/4), Og, 4), then the tap table (Kd rounded up to 4).
  const mpan = (Kd + MR - 1) / MR;
  const aps = <usize>Og * (MR * 4);
  const gps = <usize>mpan * aps;
  const ap = scratch(0, <usize>G * gps + (<usize>(mpan * MR) << 2));
  const tab = ap + <usize>G * gps;
  for (let g = 0; g < G; g++) {
    for (let ip = 0; ip < mpan; ip++) {
      const src = w + ((<usize>g * Og * Kd + ip * MR) << 2);
      pack_copy(ap + <usize>g * gps + <usize>ip * aps, src, <usize>Kd << 2, min(MR, Kd - ip * MR), MR, Og);
    }
  }
  tap_table(tab, mpan * MR, Kd, KH, KW, Hp, Wp, dh, dw);
  const gl = scratch(2, <usize>Og * P * 32);
  const gxl = scratch(3, <usize>Cg * Hp * Wp * 32);
  const gyStride = (<usize>O * P) << 2;
  const bs = <usize>P << 5;
  const HW = H * W;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const L = min(8, N - n0);
    for (let g = 0; g < G; g++) {
      interleave(gl, gy + <usize>n0 * gyStride + ((<usize>g * Og * P) << 2), gyStride, L, Og, OH, OW, OH, OW, 0, 0);
      zero_pixels(gxl, 0, <usize>Cg * Hp * Wp);
      const apg = ap + <usize>g * gps;
      let p: usize = 0;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const origin = gxl + (<usize>(oh * sh * Wp + ow * sw) << 5);
          const b = gl + (p << 5);
          for (let ip = 0; ip < mpan; ip++) {
            scatter_indirect_4x8(apg + <usize>ip * aps, b, bs, Og, origin, tab + (<usize>(ip * MR) << 2), min(MR, Kd - ip * MR));
          }
          p++;
        }
      }
      // gx[n0 + l, g*Cg + c, i, :] += gxl[c, ph + i, pw .. pw + W) (lane l): one row of W pixels at a time.
      for (let c = 0; c < Cg; c++) {
        for (let i = 0; i < H; i++) {
          const row = gxl + (<usize>((c * Hp + ph + i) * Wp + pw) << 5);
          scatter(gx, row, 0, n0, L, g * Cg + c, 1, C, HW, i * W, W, true, 0);
        }
      }
    }
  }
  return true;
}
