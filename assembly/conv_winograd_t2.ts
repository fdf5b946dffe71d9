// Winograd input gradient of a 4x4 stride-2 convolution (= ConvTranspose2d k4 s2 forward), dilation 1,
// padding 0..3 per axis (internal: called from conv_simd.ts).
//
// Along one axis, with gx[i'] += gy[j] w[k] for i' = 2j - p + k and p = 1, each output parity is a 2-tap
// correlation of gy: gx[2i] = w3 gy[i-1] + w1 gy[i] and gx[2i+1] = w2 gy[i] + w0 gy[i+1]. Four consecutive
// outputs gx[2i .. 2i+3] come from the patch x = gy[i-1 .. i+2] as two F(2,2) Winograd products (constants
// 0 and ±1 only, so no rounding beyond that of the additions):
//   V = (x0 - x1, x1, x2 - x1, x2, x3 - x2)
//   U = (w3, w3 + w1, w1, -w2, w2 + w0, w0),  m_ξ = U_ξ V_vi(ξ) with vi = (0, 1, 2, 2, 3, 4)
//   (gx[2i], gx[2i+1], gx[2i+2], gx[2i+3]) = (m0 + m1, m3 + m4, m1 + m2, m4 + m5)
// (the 4th product uses x1 - x2 = -V2, hence -w2). With even padding (p = 0: gx[i'] at i' = 2j + k) a tile's
// 4 outputs gx[2i+1 .. 2i+4] (in the p = 1 numbering above) start on the odd class and read only
// x = gy[i .. i+2]: the first three values of the same V, U = (w2, w2 + w0, w0, w3, w3 + w1, w1) with
// vi = (0, 1, 2, 0, 1, 2), and the same output sums (m0 + m1 = w2 x0 + w0 x1, m3 + m4 = w3 x0 + w1 x1, ...).
// p = 2, 3 are p = 0, 1 with the padded plane starting one gy pixel later; rows and columns choose their
// variant independently. Every output's terms read only the inputs its direct sum reads (a NaN in gy stays
// local), but an infinity gives inf - inf and a NaN weight meets the padding: the caller's winograd_safe
// guard sends such data to im2col + GEMM + col2im.
//
// In 2D a 4x4 output tile takes 36 multiplies per (c, o) instead of 64 (1.78x less arithmetic); over the
// tiles these are 36 GEMMs M_ξ (Cg x T) = U_ξ (Cg x Og) @ V_vi(ξ) (Og x T) on the engine of conv_gemm.ts, the
// 25 V blocks each feeding up to four GEMMs. Tiles step by 2 gy pixels (4 gx pixels) and patches overlap by
// 2, so 4 tiles per f32x4 load their patch columns exactly like conv_winograd.ts's stride-1 tiles. The rest
// (zero-padded plane, tile pairs and phantom tiles) follows conv_winograd.ts.
import { scratch } from "./memory";
import { gemm_packed, MR, NR } from "./conv_gemm";
import { pad_planes, store_n, tile_offset, note_tiles4 } from "./conv_winograd";

/** Floats per V (and M) block row: a tile block has TB = TB_FLOATS / max(Cg, Og) tiles (a multiple of 8). */
const TB_FLOATS: i32 = 4096;
/** Transform positions (GEMMs) per tile, and distinct V values per tile. */
const NX: i32 = 36;
const NV: i32 = 25;
/** V position of each 1D position ξ = 0..5: odd padding, then even padding. */
const VI: usize = memory.data<i32>([0, 1, 2, 2, 3, 4, 0, 1, 2, 0, 1, 2]);
/** Output geometry per 4-tile group (see conv_winograd.ts's GEO; here columns 1..8 and rows 1..4). */
const GEO = new StaticArray<i32>(TB_FLOATS / 16);
/** Lane masks: the first n lanes set, for n = 0..4. */
const LANES: usize = memory.data<i32>([0, 0, 0, 0, -1, 0, 0, 0, -1, -1, 0, 0, -1, -1, -1, 0, -1, -1, -1, -1], 16);

/** The 1D weight transform of (w0, w1, w2, w3) into 6 vectors at d, d + xs, ... (see the header). */
// @ts-ignore: decorator
@inline
function u6_store(d: usize, xs: usize, w0: v128, w1: v128, w2: v128, w3: v128, even: bool): void {
  if (even) {
    v128.store(d, w2);
    v128.store(d + xs, f32x4.add(w2, w0));
    v128.store(d + 2 * xs, w0);
    v128.store(d + 3 * xs, w3);
    v128.store(d + 4 * xs, f32x4.add(w3, w1));
    v128.store(d + 5 * xs, w1);
    return;
  }
  v128.store(d, w3);
  v128.store(d + xs, f32x4.add(w3, w1));
  v128.store(d + 2 * xs, w1);
  v128.store(d + 3 * xs, f32x4.neg(w2));
  v128.store(d + 4 * xs, f32x4.add(w2, w0));
  v128.store(d + 5 * xs, w0);
}

/**
 * U for every (c, o) of one group into A panels: panel i (gx channels 4i..4i+3, one per lane) of position ξ
 * at up + ξ*xs + i*Og*16, row o at + o*16. Lanes of padding channels (c >= Cg) are zeros.
 *   wg: (Og, Cg, 4, 4) the group's weights (conv2d view: w[o][c] maps gx channel c to gy channel o)
 *   tmp: 24 f32x4 of scratch (the row-transformed kernels)   evenh, evenw: the padding along H, W is even
 */
function weight_transform_t2(up: usize, xs: usize, wg: usize, Og: i32, Cg: i32, tmp: usize, evenh: bool, evenw: bool): void {
  for (let c = 0; c < Cg; c += MR) {
    const n = min(MR, Cg - c);
    const mask = v128.load(LANES + (<usize>n << 4));
    for (let o = 0; o < Og; o++) {
      // The 4 kernels of channels c..c+3 are consecutive (64 floats); lanes past Cg re-read the first.
      const p0 = wg + ((<usize>(o * Cg + c) * 16) << 2);
      const p1 = p0 + (n > 1 ? 64 : 0), p2 = p0 + (n > 2 ? 128 : 0), p3 = p0 + (n > 3 ? 192 : 0);
      // Per kernel row u: transpose to taps (u, 0..3), one kernel per lane, then the row transform into
      // tmp[6u + b].
      for (let u = 0; u < 4; u++) {
        const q: usize = <usize>u << 4;
        const r0 = v128.load(p0 + q), r1 = v128.load(p1 + q), r2 = v128.load(p2 + q), r3 = v128.load(p3 + q);
        const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
        u6_store(tmp + <usize>(6 * u) * 16, 16,
          v128.and(f32x4.shuffle(t0, t2, 0, 1, 4, 5), mask), v128.and(f32x4.shuffle(t0, t2, 2, 3, 6, 7), mask),
          v128.and(f32x4.shuffle(t1, t3, 0, 1, 4, 5), mask), v128.and(f32x4.shuffle(t1, t3, 2, 3, 6, 7), mask), evenw);
      }
      // Column transform: position 6a + b from tmp[6u + b] over the kernel rows u.
      const dst = up + <usize>(c / MR) * Og * (MR * 4) + <usize>o * (MR * 4);
      for (let b = 0; b < 6; b++) {
        const s = tmp + <usize>b * 16;
        u6_store(dst + <usize>b * xs, 6 * xs, v128.load(s), v128.load(s, 96), v128.load(s, 192), v128.load(s, 288), evenh);
      }
    }
  }
}

/**
 * V for 4 tiles: lanes 0-1 = the tiles whose patches start at columns 0 and 2 of a (rows rs bytes apart),
 * lanes 2-3 = the same at b; the 25 values V_p ⊗ V_q at dst + (5p + q)*xs.
 */
// @ts-ignore: decorator
@inline
function input_tiles4_t2(dst: usize, xs: usize, a: usize, b: usize, rs: usize): void {
  // Per row: d_j = column 2k + j of lane k's patch, then (d0 - d1, d1, d2 - d1, d2, d3 - d2).
  let qa = v128.load(a), qb = v128.load(b), ea = v128.load(a, 8), eb = v128.load(b, 8);
  let d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6), d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  let d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6), d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r00 = f32x4.sub(d0, d1), r01 = d1, r02 = f32x4.sub(d2, d1), r03 = d2, r04 = f32x4.sub(d3, d2);
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r10 = f32x4.sub(d0, d1), r11 = d1, r12 = f32x4.sub(d2, d1), r13 = d2, r14 = f32x4.sub(d3, d2);
  // Column transform, rows (r0 - r1, r1, r2 - r1, r2, r3 - r2): rows 0 and 1 done first.
  v128.store(dst, f32x4.sub(r00, r10));
  v128.store(dst + xs, f32x4.sub(r01, r11));
  v128.store(dst + 2 * xs, f32x4.sub(r02, r12));
  v128.store(dst + 3 * xs, f32x4.sub(r03, r13));
  v128.store(dst + 4 * xs, f32x4.sub(r04, r14));
  v128.store(dst + 5 * xs, r10);
  v128.store(dst + 6 * xs, r11);
  v128.store(dst + 7 * xs, r12);
  v128.store(dst + 8 * xs, r13);
  v128.store(dst + 9 * xs, r14);
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r20 = f32x4.sub(d0, d1), r21 = d1, r22 = f32x4.sub(d2, d1), r23 = d2, r24 = f32x4.sub(d3, d2);
  v128.store(dst + 10 * xs, f32x4.sub(r20, r10));
  v128.store(dst + 11 * xs, f32x4.sub(r21, r11));
  v128.store(dst + 12 * xs, f32x4.sub(r22, r12));
  v128.store(dst + 13 * xs, f32x4.sub(r23, r13));
  v128.store(dst + 14 * xs, f32x4.sub(r24, r14));
  v128.store(dst + 15 * xs, r20);
  v128.store(dst + 16 * xs, r21);
  v128.store(dst + 17 * xs, r22);
  v128.store(dst + 18 * xs, r23);
  v128.store(dst + 19 * xs, r24);
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  v128.store(dst + 20 * xs, f32x4.sub(f32x4.sub(d0, d1), r20));
  v128.store(dst + 21 * xs, f32x4.sub(d1, r21));
  v128.store(dst + 22 * xs, f32x4.sub(f32x4.sub(d2, d1), r22));
  v128.store(dst + 23 * xs, f32x4.sub(d2, r23));
  v128.store(dst + 24 * xs, f32x4.sub(f32x4.sub(d3, d2), r24));
}

/**
 * Writes (or adds, acc) output row r of 4 tiles (y_j = column j, lane k = tile k) at the geometry geo (see
 * GEO): tiles 0-1 side by side at outA, tiles 2-3 at outB, columns and rows past the plane dropped.
 */
// @ts-ignore: decorator
@inline
function store_row4(yo: usize, geo: usize, rs: usize, r: i32, y0: v128, y1: v128, y2: v128, y3: v128, acc: bool, bv: v128, biased: bool): void {
  if (biased) {
    y0 = f32x4.add(bv, y0);
    y1 = f32x4.add(bv, y1);
    y2 = f32x4.add(bv, y2);
    y3 = f32x4.add(bv, y3);
  }
  const ga = load<i32>(geo, 8), gb = load<i32>(geo, 12);
  const colsA = ga & 255, colsB = gb & 255;
  // 4x4 transpose: v_k = the 4 outputs of tile k.
  const t0 = f32x4.shuffle(y0, y1, 0, 4, 1, 5), t1 = f32x4.shuffle(y0, y1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(y2, y3, 0, 4, 1, 5), t3 = f32x4.shuffle(y2, y3, 2, 6, 3, 7);
  const off = <usize>r * rs;
  if (r < (ga >> 8)) {
    const outA = yo + <usize>load<i32>(geo) + off;
    store_n(outA, f32x4.shuffle(t0, t2, 0, 1, 4, 5), min(colsA, 4), acc);
    if (colsA > 4) store_n(outA + 16, f32x4.shuffle(t0, t2, 2, 3, 6, 7), colsA - 4, acc);
  }
  if (r < (gb >> 8)) {
    const outB = yo + <usize>load<i32>(geo, 4) + off;
    store_n(outB, f32x4.shuffle(t1, t3, 0, 1, 4, 5), min(colsB, 4), acc);
    if (colsB > 4) store_n(outB + 16, f32x4.shuffle(t1, t3, 2, 3, 6, 7), colsB - 4, acc);
  }
}

/** The output transform for 4 tiles (m_ξ at src + ξ*xs), rows written through store_row4. */
// @ts-ignore: decorator
@inline
function output_tiles4_t2(yo: usize, geo: usize, rs: usize, src: usize, xs: usize, acc: bool, bv: v128, biased: bool): void {
  // Per row a: s_a = (m_a0 + m_a1, m_a3 + m_a4, m_a1 + m_a2, m_a4 + m_a5); output rows 0 and 2 need s_0..s_2,
  // rows 1 and 3 s_3..s_5: y_0 = s_0 + s_1, y_2 = s_1 + s_2 (and the same with s_3..s_5).
  for (let h = 0; h < 2; h++) {
    let r = src + <usize>(18 * h) * xs;
    let m1 = v128.load(r + xs), m4 = v128.load(r + 4 * xs);
    const s00 = f32x4.add(v128.load(r), m1), s01 = f32x4.add(v128.load(r + 3 * xs), m4);
    const s02 = f32x4.add(m1, v128.load(r + 2 * xs)), s03 = f32x4.add(m4, v128.load(r + 5 * xs));
    r += 6 * xs;
    m1 = v128.load(r + xs); m4 = v128.load(r + 4 * xs);
    const s10 = f32x4.add(v128.load(r), m1), s11 = f32x4.add(v128.load(r + 3 * xs), m4);
    const s12 = f32x4.add(m1, v128.load(r + 2 * xs)), s13 = f32x4.add(m4, v128.load(r + 5 * xs));
    store_row4(yo, geo, rs, h, f32x4.add(s00, s10), f32x4.add(s01, s11), f32x4.add(s02, s12), f32x4.add(s03, s13), acc, bv, biased);
    r += 6 * xs;
    m1 = v128.load(r + xs); m4 = v128.load(r + 4 * xs);
    const s20 = f32x4.add(v128.load(r), m1), s21 = f32x4.add(v128.load(r + 3 * xs), m4);
    const s22 = f32x4.add(m1, v128.load(r + 2 * xs)), s23 = f32x4.add(m4, v128.load(r + 5 * xs));
    store_row4(yo, geo, rs, h + 2, f32x4.add(s10, s20), f32x4.add(s11, s21), f32x4.add(s12, s22), f32x4.add(s13, s23), acc, bv, biased);
  }
}

/**
 * gx (+)= the input gradient of a conv2d with 4x4 kernels, stride 2, dilation 1, padding ph, pw in 0..3,
 * H = 2*OH + 2 - 2ph (+ 1) and the same for W (the caller checks the shape and winograd_safe).
 *   gx: (N, C, H, W)   gy: (N, O, OH, OW)   w: (O, C/G, 4, 4)   b: (C) bias or 0 (only without acc)
 *   acc: add to gx instead of overwriting it.
 */
export function conv_bwd_input_winograd_t2(
  gx: usize, gy: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, OH: i32, OW: i32, ph: i32, pw: i32, G: i32, acc: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, HW = <usize>H * W, P = <usize>OH * OW;
  const tH = (H + 3) >> 2;
  const tW = (((W + 3) >> 2) + 1) & ~1; // tiles per row, even
  const T = tH * tW;
  // Padded gy plane: tile (ty, tx)'s patch at rows 2ty.., columns 2tx.. (gy's (0, 0) at (qh, qw)); a tile
  // pair's loads reach columns 2tx .. 2tx + 5. Rows of a multiple of 4 floats.
  const qh = (3 - ph) >> 1, qw = (3 - pw) >> 1;
  const Hp = max(2 * tH + 2, OH + qh);
  const Wp = (max(2 * tW + 2, OW + qw) + 3) & ~3;
  const plane = <usize>Hp * Wp;
  let TB = (TB_FLOATS / max(Cg, Og)) & ~(NR - 1);
  if (TB < 2 * NR) TB = 2 * NR;
  if (TB > TB_FLOATS / 16) TB = TB_FLOATS / 16; // GEO's size
  if (TB > T) TB = (T + NR - 1) & ~(NR - 1);
  // U for all groups: group g, position ξ at up + g*gs + ξ*uxs.
  const aps = <usize>Og * (MR * 4);
  const uxs = <usize>((Cg + MR - 1) / MR) * aps;
  const gs: usize = <usize>NX * uxs;
  const up = scratch(0, <usize>G * gs + 24 * 16);
  const tmp = up + <usize>G * gs;
  for (let g = 0; g < G; g++) {
    weight_transform_t2(up + <usize>g * gs, uxs, w + ((<usize>g * Og * Cg * 16) << 2), Og, Cg, tmp, (ph & 1) == 0, (pw & 1) == 0);
  }
  // Block strides skewed by 256 bytes so that the streams never share L1 sets (see conv_winograd.ts).
  const vxs = <usize>Og * TB * 4 + 256; // V: position at vp + v*vxs, panel j at + j*Og*32, row o at + o*32
  const vp = scratch(1, <usize>NV * vxs);
  const mxs = <usize>Cg * TB * 4 + 256; // M: position ξ at mp + ξ*mxs, row c at + c*TB*4
  const mp = scratch(2, <usize>NX * mxs);
  const xp = scratch(3, (<usize>Og * plane) << 2);
  const rs = <usize>Wp << 2, ors = <usize>W << 2;
  const geo = changetype<usize>(GEO);
  const vih = VI + (ph & 1 ? 0 : 24), viw = VI + (pw & 1 ? 0 : 24);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      pad_planes(xp, gy + ((<usize>(n * O + g * Og) * P) << 2), Og, OH, OW, Hp, Wp, qh, qw);
      const gxg = gx + ((<usize>(n * C + g * Cg) * HW) << 2);
      const ug = up + <usize>g * gs;
      for (let t0 = 0; t0 < T; t0 += TB) {
        const nt = min(TB, T - t0);
        // Input transform, 4 tiles (2 pairs, possibly on 2 tile rows) per f32x4; a lone last pair is read
        // twice. The output geometry of each group is noted on the way.
        for (let t = 0; t < nt; t += 4) {
          const tA = t0 + t;
          const pa = xp + tile_offset(tA, tW, rs, 2), pb = xp + tile_offset(min(tA + 2, T - 2), tW, rs, 2);
          const dst = vp + <usize>(t >> 3) * Og * (NR * 4) + (<usize>(t & 7) << 2);
          for (let o = 0; o < Og; o++) {
            const oo = (<usize>o * plane) << 2;
            input_tiles4_t2(dst + <usize>o * (NR * 4), vxs, pa + oo, pb + oo, rs);
          }
          note_tiles4(geo + (<usize>t << 2), tA, T, tW, H, W, 4);
        }
        for (let a = 0; a < 6; a++) {
          const va = vp + <usize>(5 * load<i32>(vih + (<usize>a << 2))) * vxs;
          for (let bb = 0; bb < 6; bb++) {
            const xi = 6 * a + bb;
            gemm_packed(ug + <usize>xi * uxs, aps, va + <usize>load<i32>(viw + (<usize>bb << 2)) * vxs, Cg, nt, Og,
              mp + <usize>xi * mxs, <usize>TB << 2, false);
          }
        }
        // Output transform, 4 tiles per f32x4, channel by channel.
        for (let c = 0; c < Cg; c++) {
          const yo = gxg + ((<usize>c * HW) << 2);
          const mo = mp + <usize>c * TB * 4;
          const bv = f32x4.splat(b ? load<f32>(b + (<usize>(g * Cg + c) << 2)) : 0);
          const biased = b != 0;
          for (let t = 0; t < nt; t += 4) {
            output_tiles4_t2(yo, geo + (<usize>t << 2), ors, mo + (<usize>t << 2), mxs, acc, bv, biased);
          }
        }
      }
    }
  }
}
