// The stride-2 3x3 variant of conv_winograd.ts (internal: conv_fwd_winograd calls conv_fwd_winograd_s2).
//
// A stride-2 3x3 convolution splits by input parity: along one axis, the two outputs y0 = w0x0 + w1x1 + w2x2
// and y1 = w0x2 + w1x3 + w2x4 are an F(2,2) Winograd product on the even inputs (x0, x2, x4) with the even
// taps (w0, w2), plus plain products of the odd inputs (x1, x3) with w1:
//   V = (x0 - x2, x2, x4 - x2, x1, x3)        U = (w0, w0 + w2, w2, w1, w1)
//   m = U ⊙ V,   y0 = m0 + m1 + m3,   y1 = m1 + m2 + m4
// 5 multiplies for 2 outputs instead of 6; in 2D (applied along rows, then columns) a 2x2 output tile takes
// 25 instead of 36, so the GEMMs over a tile block do 1.44x less arithmetic than im2col + GEMM. The constants
// are 0 and ±1: no rounding beyond that of the additions, and a 5x5 input patch (stride 4 between tiles).
// Position (i, j): i the row index, j the column index, both in the order above.
//
// Product groups: along one axis, index 1 feeds both outputs, 0 and 3 only output 0, 2 and 4 only output 1.
// So the 25 positions fall into 9 groups by the outputs they feed, and the products of one group are only
// ever summed: group 2a + b = {0, 3} or {2, 4} x {0, 3} or {2, 4} (4 positions, feeds y_ab alone),
// 4 + b = {1} x (side b) (2 positions, feeds y_0b and y_1b), 6 + a = (side a) x {1} (2, feeds y_a0, y_a1),
// 8 = (1, 1) (feeds all four). Each group is ONE GEMM whose depth runs over its positions (4C, 2C or C):
// U and V hold a group's positions one after the other along k. That makes 9 GEMMs of mostly deep k instead
// of 25 of depth C (the 4x8 tiles' start-up and stores amortised over 4x more k), and M has 9 matrices
// instead of 25 for the output transform to read:
//   y_ab = M_{2a+b} + M_{4+b} + M_{6+a} + M_8.
// Within the 25 slots of a panel the groups follow each other (slot_at), with a SKEW-byte gap per group so
// that the transforms' 25 store streams (slots C*16 or C*32 bytes apart, often a power of two) spread over
// the L1 sets.
import { scratch } from "./memory";
import { gemm_packed, MR, NR, KC } from "./conv_gemm";
import { store_tile4, load_taps, tap, pad_rows, tile_offset, note_tiles4, GEO, GEO_TILES } from "./conv_winograd";

/** Floats of V and M per tile block: TB = TB_FLOATS_S2 / (25 Cg + 9 Og) tiles (a multiple of 8). */
const TB_FLOATS_S2: i32 = 65536;
/** Bytes between consecutive product groups in a panel (one cache line). */
const SKEW: usize = 64;
/** Bytes a 25-slot panel needs beyond its slots: room for the group gaps (group 8 starts 8 SKEW late). */
const PANEL_GAPS: usize = 9 * SKEW;

/**
 * Byte offset of position (i, j) (0..4 each) in a panel of 25 slots xs bytes apart: its group's first slot
 * plus its index in the group, and group * SKEW. With constant i, j (every caller) this folds to q*xs + c.
 */
// @ts-ignore: decorator
@inline
function slot_at(i: i32, j: i32, xs: usize): usize {
  const ai = i == 2 || i == 4 ? 1 : 0, ei = i >= 3 ? 1 : 0; // side of i (outputs row 1 only) and index in it
  const aj = j == 2 || j == 4 ? 1 : 0, ej = j >= 3 ? 1 : 0;
  let g: i32, q: i32;
  if (i == 1 && j == 1) {
    g = 8; q = 24;
  } else if (i == 1) {
    g = 4 + aj; q = 16 + 2 * aj + ej;
  } else if (j == 1) {
    g = 6 + ai; q = 20 + 2 * ai + ei;
  } else {
    g = 2 * ai + aj; q = 4 * g + 2 * ei + ej;
  }
  return <usize>q * xs + <usize>g * SKEW;
}

/** First slot of product group g (0..8). */
// @ts-ignore: decorator
@inline
function group_first(g: i32): i32 {
  return g < 4 ? 4 * g : g < 8 ? 8 + 2 * g : 24;
}

/** Positions in product group g (0..8). */
// @ts-ignore: decorator
@inline
function group_size(g: i32): i32 {
  return g < 4 ? 4 : g < 8 ? 2 : 1;
}

/** Stores row i of U = G g G^T, from row (a, b, e) of G g: (a, a + e, e, b, b) at their slots from dst. */
// @ts-ignore: decorator
@inline
function u_row(dst: usize, xs: usize, i: i32, a: v128, b: v128, e: v128): void {
  v128.store(dst + slot_at(i, 0, xs), a);
  v128.store(dst + slot_at(i, 1, xs), f32x4.add(a, e));
  v128.store(dst + slot_at(i, 2, xs), e);
  v128.store(dst + slot_at(i, 3, xs), b);
  v128.store(dst + slot_at(i, 4, xs), b);
}

/**
 * U = G g G^T for every (o, c) of one group (g = w[o][c], 3x3), into A panels of the product groups: panel i
 * (outputs 4i..4i+3, one per lane) at up + i*ps, position (r, s) at + slot_at(r, s, xs) (xs = C*16), row c
 * at + c*16. Lanes of padding outputs (o >= O) are zeros.
 */
function weight_transform_s2(up: usize, ps: usize, xs: usize, wg: usize, O: i32, C: i32): void {
  const os = <usize>C * 36;
  for (let o = 0; o < O; o += MR) {
    for (let c = 0; c < C; c++) {
      load_taps(wg + ((<usize>(o * C + c) * 9) << 2), os, min(MR, O - o), false);
      const dst = up + <usize>(o / MR) * ps + <usize>c * (MR * 4);
      // Rows of G g: (g_0, g_0 + g_2, g_2, g_1, g_1), g_u the kernel rows (taps 3u..3u+2).
      u_row(dst, xs, 0, tap(0), tap(1), tap(2));
      u_row(dst, xs, 1, f32x4.add(tap(0), tap(6)), f32x4.add(tap(1), tap(7)), f32x4.add(tap(2), tap(8)));
      u_row(dst, xs, 2, tap(6), tap(7), tap(8));
      u_row(dst, xs, 3, tap(3), tap(4), tap(5));
      u_row(dst, xs, 4, tap(3), tap(4), tap(5));
    }
  }
}

/**
 * Row transform of padded row i of the patches of 4 tiles: lanes 0-1 = the 2 patches starting at columns 0
 * and 4 of a, lanes 2-3 = those of b (b = a + 32 bytes for 4 tiles side by side). Column j of lane k's
 * patch comes from a 4x4 transpose of a[0..8), b[0..8) (j = 0..3) and a one-lane shift with a[8], b[8]
 * (j = 4). The 5 results (x0 - x2, x2, x4 - x2, x1, x3), minus those of patch row 2 (already stored as
 * transform row 1: the column transform's "- row 2") when sub, are stored at position (i, j) from d.
 */
// @ts-ignore: decorator
@inline
function row5_store(d: usize, xs: usize, i: i32, a: usize, b: usize, sub: bool): void {
  const l0 = v128.load(a), l1 = v128.load(a, 16), l2 = v128.load(b), l3 = v128.load(b, 16);
  const t0 = f32x4.shuffle(l0, l1, 0, 4, 1, 5), t1 = f32x4.shuffle(l0, l1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(l2, l3, 0, 4, 1, 5), t3 = f32x4.shuffle(l2, l3, 2, 6, 3, 7);
  const x0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), x1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
  const x2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), x3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
  const e = f32x4.shuffle(v128.load(a, 32), v128.load(b, 32), 0, 4, 0, 4); // (a[8], b[8], ..)
  const x4 = f32x4.shuffle(x0, e, 1, 4, 3, 5);
  let r0 = f32x4.sub(x0, x2), r1 = x2, r2 = f32x4.sub(x4, x2), r3 = x1, r4 = x3;
  if (sub) {
    r0 = f32x4.sub(r0, v128.load(d + slot_at(1, 0, xs)));
    r1 = f32x4.sub(r1, v128.load(d + slot_at(1, 1, xs)));
    r2 = f32x4.sub(r2, v128.load(d + slot_at(1, 2, xs)));
    r3 = f32x4.sub(r3, v128.load(d + slot_at(1, 3, xs)));
    r4 = f32x4.sub(r4, v128.load(d + slot_at(1, 4, xs)));
  }
  v128.store(d + slot_at(i, 0, xs), r0);
  v128.store(d + slot_at(i, 1, xs), r1);
  v128.store(d + slot_at(i, 2, xs), r2);
  v128.store(d + slot_at(i, 3, xs), r3);
  v128.store(d + slot_at(i, 4, xs), r4);
}

/**
 * V = Bt d Bt^T for 4 tiles (patches of lanes 0-1 at a, of lanes 2-3 at b; padded rows rs bytes apart),
 * position (i, j) at dst + slot_at(i, j, xs). Row order of the column transform: (row0 - row2, row2,
 * row4 - row2, row1, row3); row 2 is stored first and subtracted from rows 0 and 4.
 */
// @ts-ignore: decorator
@inline
function input_tiles4_s2(dst: usize, xs: usize, a: usize, b: usize, rs: usize): void {
  row5_store(dst, xs, 1, a + 2 * rs, b + 2 * rs, false);
  row5_store(dst, xs, 0, a, b, true);
  row5_store(dst, xs, 2, a + 4 * rs, b + 4 * rs, true);
  row5_store(dst, xs, 3, a + rs, b + rs, false);
  row5_store(dst, xs, 4, a + 3 * rs, b + 3 * rs, false);
}

/** The 2x2 outputs of 4 tiles from the 9 product groups (group g at src + g*xs), written through store_tile4. */
// @ts-ignore: decorator
@inline
function output_tiles4_s2(yo: usize, geo: usize, rs: usize, src: usize, xs: usize, acc: bool, bv: v128, biased: bool): void {
  const z = v128.load(src + 8 * xs);
  const l0 = f32x4.add(v128.load(src + 6 * xs), z), l1 = f32x4.add(v128.load(src + 7 * xs), z);
  const r0 = v128.load(src + 4 * xs), r1 = v128.load(src + 5 * xs);
  store_tile4(yo, geo, rs,
    f32x4.add(f32x4.add(v128.load(src), r0), l0), f32x4.add(f32x4.add(v128.load(src + xs), r1), l0),
    f32x4.add(f32x4.add(v128.load(src + 2 * xs), r0), l1), f32x4.add(f32x4.add(v128.load(src + 3 * xs), r1), l1),
    acc, bv, biased);
}

/**
 * y (+)= conv(x, w) for 3x3 kernels, dilation 1, stride 2, in the conv2d view (see conv_fwd_winograd).
 *   y: (N, O, OH, OW)   x: (N, C, H, W)   w: (O, C/G, 3, 3)   b: (O) bias or 0 (only without acc)
 */
export function conv_fwd_winograd_s2(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, OH: i32, OW: i32, ph: i32, pw: i32, G: i32, acc: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, P = OH * OW;
  const HW = <usize>H * W;
  const tH = (OH + 1) >> 1;
  const tW = (((OW + 1) >> 1) + 1) & ~1; // tiles per row, even
  const T = tH * tW;
  // Padded plane: every tile's 5x5 patch (a tile pair's loads reach 4 floats past its patches), rows of a
  // multiple of 4 floats.
  const Hp = max(4 * tH + 1, H + ph);
  const Wp = (max(4 * tW + 4, W + pw) + 3) & ~3;
  const plane = <usize>Hp * Wp;
  let TB = (TB_FLOATS_S2 / (25 * Cg + 9 * Og)) & ~(NR - 1);
  if (TB < 2 * NR) TB = 2 * NR;
  if (TB > GEO_TILES) TB = GEO_TILES;
  if (TB > T) TB = (T + NR - 1) & ~(NR - 1);
  // U for all groups: group g's panel i (4 outputs) at up + g*gs + i*ups, its slots uxs bytes apart.
  const uxs = <usize>Cg * (MR * 4);
  const ups = uxs * 25 + PANEL_GAPS;
  const gs = <usize>((Og + MR - 1) / MR) * ups;
  const up = scratch(0, <usize>G * gs);
  for (let g = 0; g < G; g++) {
    weight_transform_s2(up + <usize>g * gs, ups, uxs, w + ((<usize>g * Og * Cg * 9) << 2), Og, Cg);
  }
  // V: panel j (8 tiles) at vp + j*vps, its slots vxs bytes apart, row c at + c*32. M: product group q at
  // mp + q*mxs, row o at + o*TB*4 (the 256-byte skew keeps the 9 streams off one L1 set).
  const vxs = <usize>Cg * (NR * 4);
  const vps = vxs * 25 + PANEL_GAPS;
  const vp = scratch(1, <usize>(TB / NR) * vps);
  const mxs = <usize>Og * TB * 4 + 256;
  const mp = scratch(2, 9 * mxs);
  const xp = scratch(3, (<usize>Cg * plane) << 2);
  const rs = <usize>Wp << 2, ors = <usize>OW << 2;
  const geo = changetype<usize>(GEO);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const xg = x + ((<usize>(n * C + g * Cg) * HW) << 2);
      let padded = 0; // rows of the padded planes filled so far
      const yg = y + ((<usize>(n * O + g * Og) * P) << 2);
      const ug = up + <usize>g * gs;
      for (let t0 = 0; t0 < T; t0 += TB) {
        const nt = min(TB, T - t0);
        // The block's patches reach down to row 4 * (last tile row) + 4: pad the rows up to there (the
        // band is then read from cache).
        const rows = min(Hp, 4 * ((t0 + nt - 1) / tW) + 5);
        if (rows > padded) {
          pad_rows(xp, xg, Cg, H, W, Hp, Wp, ph, pw, padded, rows);
          padded = rows;
        }
        // Input transform, 4 tiles (2 pairs, possibly on 2 tile rows) per f32x4; a lone last pair is read
        // twice. The output geometry of each group is noted on the way.
        for (let t = 0; t < nt; t += 4) {
          const tA = t0 + t;
          const pa = xp + tile_offset(tA, tW, rs, 4), pb = xp + tile_offset(min(tA + 2, T - 2), tW, rs, 4);
          const dst = vp + <usize>(t >> 3) * vps + (<usize>(t & 7) << 2);
          for (let c = 0; c < Cg; c++) {
            const co = (<usize>c * plane) << 2;
            input_tiles4_s2(dst + <usize>c * (NR * 4), vxs, pa + co, pb + co, rs);
          }
          note_tiles4(geo + (<usize>t << 2), tA, T, tW, OH, OW);
        }
        // One GEMM per product group and 8-tile panel (the panels of a group are vps apart, not adjacent),
        // over at most `per` positions at a time (the rest accumulated) so that a B panel stays near KC deep
        // and in L1 when C is large.
        const per = max(1, KC / Cg);
        for (let q = 0; q < 9; q++) {
          const first = <usize>group_first(q), size = group_size(q);
          const aq = ug + first * uxs + <usize>q * SKEW, bq = vp + first * vxs + <usize>q * SKEW;
          const mq = mp + <usize>q * mxs;
          for (let j = 0; j < nt; j += NR) {
            const bj = bq + <usize>(j / NR) * vps, mj = mq + (<usize>j << 2);
            for (let s = 0; s < size; s += per) {
              const kc = min(per, size - s) * Cg;
              gemm_packed(aq + <usize>s * uxs, ups, bj + <usize>s * vxs, Og, min(NR, nt - j), kc, mj, <usize>TB << 2, s > 0);
            }
          }
        }
        // Output transform, 4 tiles per f32x4, channel by channel.
        const biased = b != 0;
        for (let o = 0; o < Og; o++) {
          const yo = yg + ((<usize>o * P) << 2);
          const mo = mp + <usize>o * TB * 4;
          const bv = f32x4.splat(biased ? load<f32>(b + (<usize>(g * Og + o) << 2)) : 0);
          for (let t = 0; t < nt; t += 4) {
            output_tiles4_s2(yo, geo + (<usize>t << 2), ors, mo + (<usize>t << 2), mxs, acc, bv, biased);
          }
        }
      }
    }
  }
}
