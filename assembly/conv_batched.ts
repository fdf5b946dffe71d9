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
//   3. the GEMM (weights in 4-row panels, packed once per call) writes C (Og, positions x 8) to a scratch
//      block, which is transposed 4x4 at a time into y (N, O, OH, OW), adding when acc.
// The products and their order of summation over k are those of the im2col path: the results are identical.
import { scratch } from "./memory";
import { pack_transpose, MR, NR, KC } from "./conv_gemm";
import { gemm_indirect } from "./conv_indirect";

/** Output positions per C block (Og x POS_BLOCK x 8 floats, transposed into y once complete). */
const POS_BLOCK: i32 = 32;

/** Zeros pixels [i0, i1) of xl (8 floats each). */
// @ts-ignore: decorator
@inline
function zero_pixels(xl: usize, i0: usize, i1: usize): void {
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
function interleave(xl: usize, x: usize, imgStride: usize, L: i32, Cg: i32, H: i32, W: i32, Hp: i32, Wp: i32, ph: i32, pw: i32): void {
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
  for (let k = 0; k < Kd; k++) {
    const c = k / KK, r = k - c * KK, u = r / KW, v = r - u * KW;
    store<i32>(tab + (<usize>k << 2), (((c * Hp + u * dh) * Wp + v * dw)) << 5);
  }
  const ldc = <usize>POS_BLOCK * NR * 4;
  const cb = scratch(2, <usize>Og * ldc);
  const xl = scratch(3, <usize>Cg * Hp * Wp * 32);
  const imgStride = (<usize>C * H * W) << 2;
  for (let n0 = 0; n0 < N; n0 += 8) {
    const L = min(8, N - n0);
    for (let g = 0; g < G; g++) {
      interleave(xl, x + <usize>n0 * imgStride + ((<usize>g * Cg * H * W) << 2), imgStride, L, Cg, H, W, Hp, Wp, ph, pw);
      const apg = ap + <usize>g * gps;
      for (let p0 = 0; p0 < P; p0 += POS_BLOCK) {
        const np = min(POS_BLOCK, P - p0);
        for (let k0 = 0; k0 < Kd; k0 += KC) {
          const kc = min(KC, Kd - k0);
          // Each position's B rows are read in place from xl through the tap table (conv_indirect.ts).
          let oh = p0 / OW, ow = p0 - oh * OW;
          for (let p = 0; p < np; p++) {
            const base = xl + ((<usize>(oh * sh) * Wp + ow * sw) << 5);
            gemm_indirect(apg + (<usize>k0 << 4), aps, base, tab + (<usize>k0 << 2), Og, kc, cb + (<usize>p << 5), ldc, k0 > 0);
            if (++ow == OW) { ow = 0; oh++; }
          }
        }
        scatter(y, cb, ldc, n0, L, g * Og, Og, O, P, p0, np, acc, b);
      }
    }
  }
}

/**
 * y[n0 + l, o0 + o, p0 + p] (+)= cb[o][p*8 + l] for l < L, o < Og, p < np: 4 positions x 4 lanes at a time,
 * transposed so that each lane's 4 positions are one f32x4 store.
 */
function scatter(y: usize, cb: usize, ldc: usize, n0: i32, L: i32, o0: i32, Og: i32, O: i32, P: i32, p0: i32, np: i32, acc: bool, b: usize): void {
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
