// Transforms of the stride-2 3x3 variant of conv_winograd.ts (internal).
//
// A stride-2 3x3 convolution splits by input parity: along one axis, the two outputs y0 = w0x0 + w1x1 + w2x2
// and y1 = w0x2 + w1x3 + w2x4 are an F(2,2) Winograd product on the even inputs (x0, x2, x4) with the even
// taps (w0, w2), plus plain products of the odd inputs (x1, x3) with w1:
//   V = (x0 - x2, x2, x4 - x2, x1, x3)        U = (w0, w0 + w2, w2, w1, w1)
//   m = U ⊙ V,   y0 = m0 + m1 + m3,   y1 = m1 + m2 + m4
// 5 multiplies for 2 outputs instead of 6; in 2D (applied along rows, then columns) a 2x2 output tile takes
// 25 instead of 36, so the 25 GEMMs of a tile block do 1.44x less arithmetic than im2col + GEMM. The constants
// are 0 and ±1: no rounding beyond that of the additions, and a 5x5 input patch (stride 4 between tiles).
// Positions are numbered ξ = 5i + j, i the row index and j the column index in the order above.
import { MR } from "./conv_gemm";
import { store_tile4, load_taps, tap } from "./conv_winograd";

/**
 * U = G g G^T for every (o, c) of one group (g = w[o][c], 3x3), into A panels: panel i (outputs 4i..4i+3, one
 * per lane) of position ξ at up + ξ*xs + i*C*16, row c at + c*16. Lanes of padding outputs (o >= O) are zeros.
 */
export function weight_transform_s2(up: usize, xs: usize, wg: usize, O: i32, C: i32): void {
  const os = <usize>C * 36;
  for (let o = 0; o < O; o += MR) {
    for (let c = 0; c < C; c++) {
      load_taps(wg + ((<usize>(o * C + c) * 9) << 2), os, min(MR, O - o), false);
      const dst = up + <usize>(o / MR) * C * (MR * 4) + <usize>c * (MR * 4);
      for (let i = 0; i < 5; i++) {
        // Row i of G g is (g_0, g_0 + g_2, g_2, g_1, g_1)[i] (g_u the kernel rows); then the same along it.
        const k = i < 2 ? 0 : i == 2 ? 6 : 3;
        let a = tap(k), b = tap(k + 1), e = tap(k + 2);
        if (i == 1) {
          a = f32x4.add(a, tap(6));
          b = f32x4.add(b, tap(7));
          e = f32x4.add(e, tap(8));
        }
        const row = dst + <usize>(5 * i) * xs;
        v128.store(row, a);
        v128.store(row + xs, f32x4.add(a, e));
        v128.store(row + 2 * xs, e);
        v128.store(row + 3 * xs, b);
        v128.store(row + 4 * xs, b);
      }
    }
  }
}

/**
 * Row transform of one padded row for 4 tiles: lanes 0-1 = the 2 patches starting at columns 0 and 4 of a,
 * lanes 2-3 = those of b (b = a + 32 bytes for 4 tiles side by side). Column j of lane k's patch comes from a
 * 4x4 transpose of a[0..8), b[0..8) (j = 0..3) and a one-lane shift with a[8], b[8] (j = 4). The 5 results
 * (x0 - x2, x2, x4 - x2, x1, x3), minus the vectors at sub + j*xs when sub != 0 (the column transform's
 * "- row 2"), are stored at d + j*xs.
 */
// @ts-ignore: decorator
@inline
function row5_store(d: usize, xs: usize, a: usize, b: usize, sub: usize): void {
  const l0 = v128.load(a), l1 = v128.load(a, 16), l2 = v128.load(b), l3 = v128.load(b, 16);
  const t0 = f32x4.shuffle(l0, l1, 0, 4, 1, 5), t1 = f32x4.shuffle(l0, l1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(l2, l3, 0, 4, 1, 5), t3 = f32x4.shuffle(l2, l3, 2, 6, 3, 7);
  const x0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), x1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
  const x2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), x3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
  const e = f32x4.shuffle(v128.load(a, 32), v128.load(b, 32), 0, 4, 0, 4); // (a[8], b[8], ..)
  const x4 = f32x4.shuffle(x0, e, 1, 4, 3, 5);
  let r0 = f32x4.sub(x0, x2), r1 = x2, r2 = f32x4.sub(x4, x2), r3 = x1, r4 = x3;
  if (sub) {
    r0 = f32x4.sub(r0, v128.load(sub));
    r1 = f32x4.sub(r1, v128.load(sub + xs));
    r2 = f32x4.sub(r2, v128.load(sub + 2 * xs));
    r3 = f32x4.sub(r3, v128.load(sub + 3 * xs));
    r4 = f32x4.sub(r4, v128.load(sub + 4 * xs));
  }
  v128.store(d, r0);
  v128.store(d + xs, r1);
  v128.store(d + 2 * xs, r2);
  v128.store(d + 3 * xs, r3);
  v128.store(d + 4 * xs, r4);
}

/**
 * V = Bt d Bt^T for 4 tiles (patches of lanes 0-1 at a, of lanes 2-3 at b; padded rows rs bytes apart),
 * position ξ at dst + ξ*xs. Row order of the column transform: (row0 - row2, row2, row4 - row2, row1, row3);
 * row2 is stored first (as ξ 5..9) and subtracted from the others.
 */
// @ts-ignore: decorator
@inline
export function input_tiles4_s2(dst: usize, xs: usize, a: usize, b: usize, rs: usize): void {
  const x5: usize = 5 * xs;
  row5_store(dst + x5, xs, a + 2 * rs, b + 2 * rs, 0);
  row5_store(dst, xs, a, b, dst + x5);
  row5_store(dst + 2 * x5, xs, a + 4 * rs, b + 4 * rs, dst + x5);
  row5_store(dst + 3 * x5, xs, a + rs, b + rs, 0);
  row5_store(dst + 4 * x5, xs, a + 3 * rs, b + 3 * rs, 0);
}

/** At m At^T for 4 tiles (m_ξ at src + ξ*xs), written through store_tile4 (see output_tiles4). */
// @ts-ignore: decorator
@inline
export function output_tiles4_s2(yo: usize, geo: usize, rs: usize, src: usize, xs: usize, acc: bool, bv: v128, biased: bool): void {
  // Per row i: s_i0 = m_i0 + m_i1 + m_i3, s_i1 = m_i1 + m_i2 + m_i4; then y_0b = s_0b + s_1b + s_3b and
  // y_1b = s_1b + s_2b + s_4b.
  let s00 = f32x4.splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00, s40 = s00, s41 = s00;
  for (let i = 0; i < 5; i++) {
    const r = src + <usize>(5 * i) * xs;
    const m1 = v128.load(r + xs);
    const a = f32x4.add(f32x4.add(v128.load(r), m1), v128.load(r + 3 * xs));
    const b = f32x4.add(f32x4.add(m1, v128.load(r + 2 * xs)), v128.load(r + 4 * xs));
    if (i == 0) { s00 = a; s01 = b; } else if (i == 1) { s10 = a; s11 = b; } else if (i == 2) { s20 = a; s21 = b; } else if (i == 3) { s30 = a; s31 = b; } else { s40 = a; s41 = b; }
  }
  store_tile4(yo, geo, rs, f32x4.add(f32x4.add(s00, s10), s30), f32x4.add(f32x4.add(s01, s11), s31),
    f32x4.add(f32x4.add(s10, s20), s40), f32x4.add(f32x4.add(s11, s21), s41), acc, bv, biased);
}
