// Forward convolution with the batch in the GEMM's vector lanes (internal: called from conv_simd.ts).
//
// im2col + GEMM puts output positions in the 8 columns of a B panel. When the output rows are short (LeNet's
// 10 or 28 columns) or the layer has few channels, that layout wastes panel lanes at row ends and spends more
// time gathering short row segments into panels than multiplying. Here the 8 columns of a panel are instead
// 8 images at the same output position, so every panel is full whatever OW is:
//   1. 8 images are interleaved once into a zero-padded, lane-major copy xl (Cg, Hp, Wp, 8): the 8 values of
//      one input pixel are 32 contiguous bytes, and padding needs no tests later;
//   2. row k = (c, u, v) of the B panel of output (oh, ow) is then the pixel (c, oh*sh + u*dh, ow*sw + v*dw)
//      of xl, at a fixed offset (a table built once per call) from the pixel of the window origin, so the
//      GEMM reads it in place (conv_indirect.ts): no im2col at all;
//   3. the GEMM (weights in 4-row panels, packed once per call) writes C (Og, positions x 8) of one output
//      row to a scratch block, which is transposed 4x4 at a time into y (N, O, OH, OW), adding when acc; with
//      stride 1 the Og % 4 channels after the last full panel use a one-row tile over 4 positions instead
//      (LeNet's conv1 has Og = 6: a 4x8 tile for channels 4, 5 would compute two rows of zeros).
// The products and their order of summation over k are those of the im2col path: the results are identical.
import { scratch } from "./memory";
import { pack_transpose, madd, MR, NR, KC } from "./conv_gemm";
import { gemm_indirect_row } from "./conv_indirect";
import { filter_run5 } from "./conv_batched_wgrad";

/** Output positions per C block (whole rows, transposed into y once complete). */
export const POS_BLOCK: i32 = 32;
/** Output positions per block of the weight gradient's tiles (4 planes x 128 positions x 32 bytes = 16 KiB). */
const FILTER_POS: i32 = 128;

/** Zeros pixels [i0, i1) of xl (8 floats each). */
// @ts-ignore: decorator
@inline
export function zero_pixels(xl: usize, i0: usize, i1: usize): void {
  const zero = f32x4.splat(0);
  for (let i = i0; i < i1; i++) {
    v128.store(xl + (i << 5), zero);
    v128.store(xl + (i << 5), zero, 16);
  }
}

/**
 * Interleaves images 0 .. L-1 (L <= 8, imgStride bytes apart; missing lanes are zeros) of the planes
 * (Cg, H, W) at x into xl (Cg, Hp, Wp, 8), each plane at (ph, pw), the padding zeroed.
 */
export function interleave(xl: usize, x: usize, imgStride: usize, L: i32, Cg: i32, H: i32, W: i32, Hp: i32, Wp: i32, ph: i32, pw: i32): void {
  const zero = f32x4.splat(0);
  if (L < 8) zero_pixels(xl, 0, <usize>Cg * Hp * Wp);
  const HW = <usize>H * W;
  for (let c = 0; c < Cg; c++) {
    const plane = <usize>c * Hp * Wp;
    if (L == 8) {
      zero_pixels(xl, plane, plane + <usize>ph * Wp);
      zero_pixels(xl, plane + <usize>(ph + H) * Wp, plane + <usize>Hp * Wp);
    }
    for (let i = 0; i < H; i++) {
      const row = plane + <usize>(i + ph) * Wp;
      if (L == 8) {
        zero_pixels(xl, row, row + pw);
        zero_pixels(xl, row + pw + W, row + Wp);
      }
      const s = x + ((<usize>c * HW + <usize>i * W) << 2);
      const d = xl + ((row + pw) << 5);
      // Four images x four columns at a time, transposed: each column's 4 values go to one half pixel.
      for (let h = 0; h < L; h += 4) {
        const sh = s + <usize>h * imgStride;
        const dh = d + (<usize>h << 2);
        const lanes = L - h;
        let j = 0;
        for (; j + 4 <= W; j += 4) {
          const o = <usize>j << 2;
          const r0 = v128.load(sh + o);
          const r1 = lanes > 1 ? v128.load(sh + imgStride + o) : zero;
          const r2 = lanes > 2 ? v128.load(sh + 2 * imgStride + o) : zero;
          const r3 = lanes > 3 ? v128.load(sh + 3 * imgStride + o) : zero;
          const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const dj = dh + (<usize>j << 5);
          v128.store(dj, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(dj, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
          v128.store(dj, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
          v128.store(dj, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
        }
        for (; j < W; j++) {
          for (let l = 0; l < min(4, lanes); l++) {
            store<f32>(dh + (<usize>j << 5) + (<usize>l << 2), load<f32>(sh + <usize>l * imgStride + (<usize>j << 2)));
          }
        }
      }
    }
  }
}

/**
 * tab[k] for k < n: byte offset in a lane-major padded image (C, Hp, Wp, 8 lanes) of tap k = (c, u, v) of a
 * (C, KH, KW) kernel, relative to its window's origin pixel; taps k >= Kd (padding rows of a 4-tap panel)
 * repeat the last tap, so reading through them stays in bounds.
 *   tab: (n) i32
 */
export function tap_table(tab: usize, n: i32, Kd: i32, KH: i32, KW: i32, Hp: i32, Wp: i32, dh: i32, dw: i32): void {
  const KK = KH * KW;
  for (let k = 0; k < n; k++) {
    const kk = min(k, Kd - 1);
    const c = kk / KK, r = kk - c * KK, u = r / KW, v = r - u * KW;
    store<i32>(tab + (<usize>k << 2), ((c * Hp + u * dh) * Wp + v * dw) << 5);
  }
}

/**
 * y (+)= b + conv(x, w) in the conv2d view, 8 images per GEMM column panel (see the header).
 *   y: (N, O, OH, OW)   x: (N, C, H, W)   w: (O, C/G, KH, KW)   b: (O) or 0 (only without acc)
 */
export function conv_fwd_batched(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32, acc: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Cg * KK, P = OH * OW;
  const Hp = H + 2 * ph, Wp = W + 2 * pw;
  // Weights, packed once: group g, row panel i at ap + g*gps + i*aps; then the tap offset table.
  const mpan = (Og + MR - 1) / MR;
  const aps = <usize>Kd * (MR * 4);
  const gps = <usize>mpan * aps;
  const ap = scratch(0, <usize>G * gps + (<usize>Kd << 2));
  for (let g = 0; g < G; g++) {
    for (let ip = 0; ip < mpan; ip++) {
      const o = g * Og + ip * MR;
      pack_transpose(ap + <usize>g * gps + <usize>ip * aps, w + ((<usize>o * Kd) << 2), <usize>Kd << 2, min(MR, Og - ip * MR), MR, Kd);
    }
  }
  // tab[k]: byte offset of tap k = (c, u, v) in xl, relative to the pixel of output (oh, ow)'s window origin.
  const tab = ap + <usize>G * gps;
  tap_table(tab, Kd, Kd, KH, KW, Hp, Wp, dh, dw);
  // C block: R whole output rows (OW < 32 positions each, R*OW <= POS_BLOCK) x 8 lanes per channel, with
  // room for 3 more positions: the one-row tiles of a row's last positions write up to 3 positions past it
  // (into the next row's, which are computed afterwards, or that room). xl has 4 pixels of slack for their
  // reads past the last row.
  const R = max(1, POS_BLOCK / OW);
  const ldc = <usize>(POS_BLOCK + 4) * NR * 4;
  const cb = scratch(2, <usize>Og * ldc);
  const xl = scratch(3, (<usize>Cg * Hp * Wp + 4) << 5);
  const imgStride = (<usize>C * H * W) << 2;
  const rowBytes = <usize>Kd << 2;
  // Stride and dilation 1 along the rows: taps come in runs of KW neighbouring pixels, which the sliding
  // tiles of conv_indirect.ts load once for 4 positions (k blocks of whole runs); taken where their groups
  // of 4 positions fit the rows or the 4x8 tile would waste rows (LeNet conv1: +10%; conv2, OW = 10 and
  // Og = 16: -8%).
  const runs = sw == 1 && dw == 1 && (OW % 4 == 0 || Og % 4 != 0) ? KW : 0;
  const kcb = runs > 0 ? max(KW, KC - KC % KW) : KC;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const L = min(8, N - n0);
    for (let g = 0; g < G; g++) {
      interleave(xl, x + <usize>n0 * imgStride + ((<usize>g * Cg * H * W) << 2), imgStride, L, Cg, H, W, Hp, Wp, ph, pw);
      const apg = ap + <usize>g * gps;
      const wg = w + <usize>g * Og * rowBytes;
      for (let oh0 = 0; oh0 < OH; oh0 += R) {
        const nr = min(R, OH - oh0);
        for (let r = 0; r < nr; r++) {
          const base = xl + (<usize>((oh0 + r) * sh * Wp) << 5);
          const cr = cb + (<usize>(r * OW) << 5);
          // Each position's B rows are read in place from xl through the tap table (conv_indirect.ts).
          for (let k0 = 0; k0 < Kd; k0 += kcb) {
            gemm_indirect_row(apg + (<usize>k0 << 4), aps, wg + (<usize>k0 << 2), rowBytes, base, <usize>sw << 5,
              tab + (<usize>k0 << 2), Og, min(kcb, Kd - k0), OW, cr, ldc, k0 > 0, runs);
          }
        }
        scatter(y, cb, ldc, n0, L, g * Og, Og, O, P, oh0 * OW, nr * OW, acc, b);
      }
    }
  }
}

/**
 * y[n0 + l, o0 + o, p0 + p] (+)= cb[o][p*8 + l] for l < L, o < Og, p < np: 4 positions x 4 lanes at a time,
 * transposed so that each lane's 4 positions are one f32x4 store.
 */
export function scatter(y: usize, cb: usize, ldc: usize, n0: i32, L: i32, o0: i32, Og: i32, O: i32, P: i32, p0: i32, np: i32, acc: bool, b: usize): void {
  const imgStride = (<usize>O * P) << 2;
  for (let o = 0; o < Og; o++) {
    // With a bias, y = bias + sum: the value of accumulating onto y prefilled with the bias.
    const bs: f32 = b ? load<f32>(b + (<usize>(o0 + o) << 2)) : 0;
    const bv = f32x4.splat(bs);
    const biased = b != 0;
    const row = cb + <usize>o * ldc;
    const yo = y + ((<usize>(n0 * O + o0 + o) * P + p0) << 2);
    let p = 0;
    for (; p + 4 <= np; p += 4) {
      const s = row + (<usize>p << 5);
      for (let h = 0; h < 8; h += 4) {
        if (h >= L) break;
        const r0 = v128.load(s + (<usize>h << 2)), r1 = v128.load(s + 32 + (<usize>h << 2));
        const r2 = v128.load(s + 64 + (<usize>h << 2)), r3 = v128.load(s + 96 + (<usize>h << 2));
        const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const lanes = min(4, L - h);
        const d = yo + <usize>h * imgStride + (<usize>p << 2);
        store4(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5), acc, bv, biased);
        if (lanes > 1) store4(d + imgStride, f32x4.shuffle(t0, t2, 2, 3, 6, 7), acc, bv, biased);
        if (lanes > 2) store4(d + 2 * imgStride, f32x4.shuffle(t1, t3, 0, 1, 4, 5), acc, bv, biased);
        if (lanes > 3) store4(d + 3 * imgStride, f32x4.shuffle(t1, t3, 2, 3, 6, 7), acc, bv, biased);
      }
    }
    for (; p < np; p++) {
      for (let l = 0; l < L; l++) {
        const d = yo + <usize>l * imgStride + (<usize>p << 2);
        const v = load<f32>(row + (<usize>p << 5) + (<usize>l << 2));
        store<f32>(d, acc ? load<f32>(d) + v : biased ? bs + v : v);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function store4(d: usize, v: v128, acc: bool, bv: v128, biased: bool): void {
  v128.store(d, acc ? f32x4.add(v128.load(d), v) : biased ? f32x4.add(bv, v) : v);
}

/**
 * Weight gradient with the batch in the vector lanes: gw (+)= sum over n, p of gy[n, o, p] * x̃[n, c, window].
 * For 8 images at a time, gy is interleaved into gl (Og, P, 8) and x into the padded xl (Cg, Hp, Wp, 8) as
 * in the forward; then each (o, k) pair of a 2 x 2 tile accumulates gl[o][p] * xl[origin(p) + tab[k]] over
 * all positions in 8 lanes (two f32x4), and the lanes are summed into gw. No im2col, no packing, no panel
 * lanes wasted on short rows or on Og, Kd not multiples of 4 and 8 (LeNet: Og = 6, Kd = 25).
 * Tiles: for 5-wide kernels with stride and dilation 1 along rows, one channel x a run of 5 taps slid along
 * the rows (conv_batched_wgrad.ts); else 4 or 3 channels x 2 taps (Og a multiple of 4 or 3), else 2 x 2.
 * The summation order differs from the im2col path (per image lane, then across the 8 lanes).
 *   gw: (O, C/G, KH, KW) +=   gy: (N, O, OH, OW)   x: (N, C, H, W)
 */
export function conv_bwd_filter_batched(
  gw: usize, gy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, KK = KH * KW, Kd = Cg * KK, P = OH * OW;
  const Hp = H + 2 * ph, Wp = W + 2 * pw;
  const tab = scratch(0, <usize>Kd << 2);
  tap_table(tab, Kd, Kd, KH, KW, Hp, Wp, dh, dw);
  const gl = scratch(2, <usize>Og * P * 32);
  const xl = scratch(3, <usize>Cg * Hp * Wp * 32);
  const imgStride = (<usize>C * H * W) << 2;
  const gyStride = (<usize>O * P) << 2;
  const rowStep = <usize>(sh * Wp) << 5;
  const colStep = <usize>sw << 5;
  const planeG = <usize>P << 5;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const L = min(8, N - n0);
    for (let g = 0; g < G; g++) {
      interleave(xl, x + <usize>n0 * imgStride + ((<usize>g * Cg * H * W) << 2), imgStride, L, Cg, H, W, Hp, Wp, ph, pw);
      interleave(gl, gy + <usize>n0 * gyStride + ((<usize>g * Og * P) << 2), gyStride, L, Og, OH, OW, OH, OW, 0, 0);
      const gwg = gw + ((<usize>g * Og * Kd) << 2);
      if (KW == 5 && sw == 1 && dw == 1) {
        // Runs of 5 taps slid along the output rows (conv_batched_wgrad.ts), in row blocks as below.
        const rb = max(1, FILTER_POS / OW);
        for (let oh0 = 0; oh0 < OH; oh0 += rb) {
          const oh1 = min(OH, oh0 + rb);
          for (let o = 0; o < Og; o++) {
            const go = gl + <usize>o * planeG;
            for (let k0 = 0; k0 < Kd; k0 += 5) {
              filter_run5(gwg + ((<usize>(o * Kd + k0)) << 2), go, xl + <usize>load<i32>(tab + (<usize>k0 << 2)), oh0, oh1, OW, rowStep);
            }
          }
        }
        continue;
      }
      if ((Og & 3) == 0 || Og % 3 == 0) {
        // 4 or 3 channels x 2 taps per tile: 6 loads per 8 madds, or 5 per 6, instead of the 2 x 2 tile's 8 per 8.
        const R = (Og & 3) == 0 ? 4 : 3;
        // Output rows in blocks of at most FILTER_POS positions, so that a tile's R planes of gl stay in L1
        // while its taps sweep them (LeNet conv1: 784 positions per plane, swept 13 times per channel tile).
        const rb = max(1, FILTER_POS / OW);
        for (let oh0 = 0; oh0 < OH; oh0 += rb) {
          const oh1 = min(OH, oh0 + rb);
          for (let o0 = 0; o0 < Og; o0 += R) {
            const g0 = gl + <usize>o0 * planeG;
            for (let k0 = 0; k0 < Kd; k0 += 2) {
              const k1 = min(k0 + 1, Kd - 1);
              const d = gwg + ((<usize>(o0 * Kd + k0)) << 2);
              const xa = xl + <usize>load<i32>(tab + (<usize>k0 << 2)), xb = xl + <usize>load<i32>(tab + (<usize>k1 << 2));
              if (R == 4) filter_tile_4x2(d, <usize>Kd << 2, k1 != k0, g0, planeG, xa, xb, oh0, oh1, OW, rowStep, colStep);
              else filter_tile_3x2(d, <usize>Kd << 2, k1 != k0, g0, planeG, xa, xb, oh0, oh1, OW, rowStep, colStep);
            }
          }
        }
        continue;
      }
      for (let o0 = 0; o0 < Og; o0 += 2) {
        const o1 = min(o0 + 1, Og - 1);
        const ga = gl + <usize>o0 * planeG, gb = gl + <usize>o1 * planeG;
        for (let k0 = 0; k0 < Kd; k0 += 2) {
          const k1 = min(k0 + 1, Kd - 1);
          const xa = xl + <usize>load<i32>(tab + (<usize>k0 << 2));
          const xb = xl + <usize>load<i32>(tab + (<usize>k1 << 2));
          let s00l = f32x4.splat(0), s00h = f32x4.splat(0), s01l = f32x4.splat(0), s01h = f32x4.splat(0);
          let s10l = f32x4.splat(0), s10h = f32x4.splat(0), s11l = f32x4.splat(0), s11h = f32x4.splat(0);
          let gp: usize = 0;
          for (let oh = 0; oh < OH; oh++) {
            let xo = <usize>oh * rowStep;
            const ge = gp + (<usize>OW << 5);
            for (; gp < ge; gp += 32) {
              const a0l = v128.load(ga + gp), a0h = v128.load(ga + gp, 16);
              const a1l = v128.load(gb + gp), a1h = v128.load(gb + gp, 16);
              let bl = v128.load(xa + xo), bh = v128.load(xa + xo, 16);
              s00l = madd(a0l, bl, s00l); s00h = madd(a0h, bh, s00h);
              s10l = madd(a1l, bl, s10l); s10h = madd(a1h, bh, s10h);
              bl = v128.load(xb + xo); bh = v128.load(xb + xo, 16);
              s01l = madd(a0l, bl, s01l); s01h = madd(a0h, bh, s01h);
              s11l = madd(a1l, bl, s11l); s11h = madd(a1h, bh, s11h);
              xo += colStep;
            }
          }
          const r0 = gwg + ((<usize>o0 * Kd) << 2), r1 = gwg + ((<usize>o1 * Kd) << 2);
          add_lanes(r0 + (<usize>k0 << 2), f32x4.add(s00l, s00h));
          if (k1 != k0) add_lanes(r0 + (<usize>k1 << 2), f32x4.add(s01l, s01h));
          if (o1 != o0) {
            add_lanes(r1 + (<usize>k0 << 2), f32x4.add(s10l, s10h));
            if (k1 != k0) add_lanes(r1 + (<usize>k1 << 2), f32x4.add(s11l, s11h));
          }
        }
      }
    }
  }
}

/**
 * gw[o0 + i][k0 + j] += sum over positions p and the 8 lanes of gl[o0 + i][p] * x_j[p] for i < R (3 or 4, a
 * constant after inlining), j < 2 (j < 1 unless two), x_j[p] at xj + the position's origin offset. The
 * lanes' halves go through the same accumulators (one f32x4 per (i, j)), so the tile holds 2R accumulators
 * and reads R + 2 vectors per 2R madds (the 2 x 2 tile of 8 lanes reads 8 per 8).
 *   gw: row stride ldw bytes   g0: gl's plane of channel o0 (P x 8 floats), planes planeG bytes apart
 */
// @ts-ignore: decorator
@inline
function filter_tile(R: i32, gw: usize, ldw: usize, two: bool, g0: usize, planeG: usize, xa: usize, xb: usize,
  oh0: i32, oh1: i32, OW: i32, rowStep: usize, colStep: usize): void {
  const g1 = g0 + planeG, g2 = g1 + planeG, g3 = g2 + planeG;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  let gp = <usize>(oh0 * OW) << 5;
  for (let oh = oh0; oh < oh1; oh++) {
    let xo = <usize>oh * rowStep;
    const ge = gp + (<usize>OW << 5);
    for (; gp < ge; gp += 32) {
      let b0 = v128.load(xa + xo), b1 = v128.load(xb + xo);
      let a = v128.load(g0 + gp);
      s00 = madd(a, b0, s00); s01 = madd(a, b1, s01);
      a = v128.load(g1 + gp);
      s10 = madd(a, b0, s10); s11 = madd(a, b1, s11);
      a = v128.load(g2 + gp);
      s20 = madd(a, b0, s20); s21 = madd(a, b1, s21);
      if (R > 3) {
        a = v128.load(g3 + gp);
        s30 = madd(a, b0, s30); s31 = madd(a, b1, s31);
      }
      b0 = v128.load(xa + xo, 16); b1 = v128.load(xb + xo, 16);
      a = v128.load(g0 + gp, 16);
      s00 = madd(a, b0, s00); s01 = madd(a, b1, s01);
      a = v128.load(g1 + gp, 16);
      s10 = madd(a, b0, s10); s11 = madd(a, b1, s11);
      a = v128.load(g2 + gp, 16);
      s20 = madd(a, b0, s20); s21 = madd(a, b1, s21);
      if (R > 3) {
        a = v128.load(g3 + gp, 16);
        s30 = madd(a, b0, s30); s31 = madd(a, b1, s31);
      }
      xo += colStep;
    }
  }
  add_lanes(gw, s00);
  add_lanes(gw + ldw, s10);
  add_lanes(gw + 2 * ldw, s20);
  if (R > 3) add_lanes(gw + 3 * ldw, s30);
  if (!two) return;
  add_lanes(gw + 4, s01);
  add_lanes(gw + ldw + 4, s11);
  add_lanes(gw + 2 * ldw + 4, s21);
  if (R > 3) add_lanes(gw + 3 * ldw + 4, s31);
}

function filter_tile_4x2(gw: usize, ldw: usize, two: bool, g0: usize, planeG: usize, xa: usize, xb: usize,
  oh0: i32, oh1: i32, OW: i32, rowStep: usize, colStep: usize): void {
  filter_tile(4, gw, ldw, two, g0, planeG, xa, xb, oh0, oh1, OW, rowStep, colStep);
}

function filter_tile_3x2(gw: usize, ldw: usize, two: bool, g0: usize, planeG: usize, xa: usize, xb: usize,
  oh0: i32, oh1: i32, OW: i32, rowStep: usize, colStep: usize): void {
  filter_tile(3, gw, ldw, two, g0, planeG, xa, xb, oh0, oh1, OW, rowStep, colStep);
}

/** *p += the sum of v's 4 lanes. */
// @ts-ignore: decorator
@inline
export function add_lanes(p: usize, v: v128): void {
  const s = (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  store<f32>(p, load<f32>(p) + s);
}
