// Winograd convolution for 3x3 kernels, dilation 1, stride 1 (F(2x2, 3x3)) or 2 (conv_winograd_s2.ts)
// (internal: called from conv_simd.ts).
//
// Stride 1: a 2x2 block of outputs of one (o, c) pair needs a 4x4 input tile d and the 3x3 kernel g, and
//   Y = A^T [ (G g G^T) ⊙ (B^T d B) ] A
// with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
// A^T = [1 1 1 0; 0 1 -1 -1]. Summed over c, the 16 elementwise products become 16 independent GEMMs
// M_ξ (O x T) = U_ξ (O x C) @ V_ξ (C x T) over the T tiles: 16 multiply-adds per 4 outputs instead of 36,
// 2.25x less arithmetic (stride 2: 25 instead of 36), and every GEMM runs on the 4x8 engine of conv_gemm.ts:
//   U = G g G^T, computed once per call straight into A panels (4 output channels per f32x4);
//   V = B^T d B, computed for a block of tiles straight into B panels (8 tiles x C), 4 tiles per f32x4;
//   the output transform reads M for 4 tiles per f32x4 and writes (or adds) their 2x2 outputs into y.
// The input is first copied, per image and group, into a zero-padded plane that holds every tile's patch, so
// the transforms have no bounds tests. Tiles are numbered row by row with an even number per row (one
// "phantom" tile past the right edge when the count is odd, computed and never written back); 4 consecutive
// tiles share a vector, and when they straddle two rows the two pairs are read and written separately.
//
// Exactness: the transform constants are 0, ±1, ±½ (exact in f32), so the extra rounding is a few ulps per
// term; the PyTorch fixtures (rtol = atol = 1e-4) and the f64 references hold with a wide margin. But a NaN or
// an infinity in one input would leak, through the transforms, into the neighbouring outputs of its tile (and
// ∞ - ∞ makes NaNs that direct convolution would not), and huge values could overflow in a transform where the
// direct sums do not: callers use this path only when winograd_safe() accepts x and w, and fall back to
// im2col + GEMM otherwise.
import { scratch } from "./memory";
import { gemm_packed, MR, NR } from "./conv_gemm";
import { conv_fwd_winograd_s2 } from "./conv_winograd_s2";

/** Floats per V (and M) block row: a tile block has TB = TB_FLOATS / max(Cg, Og) tiles (a multiple of 8). */
const TB_FLOATS: i32 = 4096;

/**
 * The largest |value| of the n floats at p, NaN if any is NaN, +inf if any is infinite (callers compare the
 * result with a bound, which NaN fails). On bit patterns: with the sign bit cleared, the order of finite
 * values, +inf (0x7f800000) and NaNs (above it) is that of the i32s, so a plain i32x4.max_s does what
 * f32x4.max (whose NaN and -0 semantics cost V8 a sequence of instructions) would.
 */
export function max_abs(p: usize, n: i32): f32 {
  if (!ASC_FEATURE_SIMD) { unreachable(); return 0; }
  const mask = i32x4.splat(0x7fffffff);
  let m0 = i32x4.splat(0), m1 = m0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + (<usize>i << 2);
    m0 = i32x4.max_s(m0, i32x4.max_s(v128.and(v128.load(q), mask), v128.and(v128.load(q, 16), mask)));
    m1 = i32x4.max_s(m1, i32x4.max_s(v128.and(v128.load(q, 32), mask), v128.and(v128.load(q, 48), mask)));
  }
  m0 = i32x4.max_s(m0, m1);
  for (; i < n; i++) m0 = i32x4.max_s(m0, i32x4.splat(load<i32>(p + (<usize>i << 2)) & 0x7fffffff));
  m0 = i32x4.max_s(m0, i32x4.shuffle(m0, m0, 2, 3, 0, 1));
  m0 = i32x4.max_s(m0, i32x4.shuffle(m0, m0, 1, 0, 3, 2));
  return reinterpret<f32>(i32x4.extract_lane(m0, 0));
}

/**
 * Whether Winograd may run on this data: everything finite, and small enough that no transformed value or
 * partial sum can overflow where the direct sums would not (|V| <= 4 max|x|, |U| <= 2.25 max|w|, the output
 * transform adds at most 9 terms: a factor below 100 over the direct bound Cg*9*max|x|*max|w|). Cg is the
 * depth of the direct sums over 9 taps; the weight gradient (conv_winograd_wgrad.ts, w = gy) passes its
 * N*OH*OW positions, whose Winograd sums stay below 36 N*OH*OW max|x| max|gy|.
 */
export function winograd_safe(x: usize, nx: i32, w: usize, nw: i32, Cg: i32): bool {
  const mw = max_abs(w, nw);
  if (!(mw < 1e30)) return false;
  const mx = max_abs(x, nx);
  return <f64>mx * <f64>mw * <f64>Cg * 900 < 1e36; // in f64: N*OH*OW*900 may exceed i32
}

/** 9 f32x4: tap k of 4 kernels (one per lane), filled by load_taps. */
const TAPS: usize = memory.data(9 * 16, 16);
/** Lane masks: the first n lanes set, for n = 0..4. */
const LANES: usize = memory.data<i32>([0, 0, 0, 0, -1, 0, 0, 0, -1, -1, 0, 0, -1, -1, -1, 0, -1, -1, -1, -1], 16);

/**
 * TAPS[k] = tap k of the 3x3 kernels at p, p + os, p + 2os, p + 3os (bytes), lanes >= n (1..4) zero; flip
 * stores tap 8 - k instead (the kernels rotated by 180°). Two 4x4 transposes and a gather of tap 8.
 */
export function load_taps(p: usize, os: usize, n: i32, flip: bool): void {
  const p1 = p + (n > 1 ? os : 0), p2 = p + (n > 2 ? 2 * os : 0), p3 = p + (n > 3 ? 3 * os : 0);
  const mask = v128.load(LANES + (<usize>n << 4));
  for (let h = 0; h < 2; h++) {
    const o: usize = <usize>h << 4;
    const r0 = v128.load(p + o), r1 = v128.load(p1 + o), r2 = v128.load(p2 + o), r3 = v128.load(p3 + o);
    const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const k = 4 * h;
    v128.store(TAPS + (<usize>(flip ? 8 - k : k) << 4), v128.and(f32x4.shuffle(t0, t2, 0, 1, 4, 5), mask));
    v128.store(TAPS + (<usize>(flip ? 7 - k : k + 1) << 4), v128.and(f32x4.shuffle(t0, t2, 2, 3, 6, 7), mask));
    v128.store(TAPS + (<usize>(flip ? 6 - k : k + 2) << 4), v128.and(f32x4.shuffle(t1, t3, 0, 1, 4, 5), mask));
    v128.store(TAPS + (<usize>(flip ? 5 - k : k + 3) << 4), v128.and(f32x4.shuffle(t1, t3, 2, 3, 6, 7), mask));
  }
  let v = f32x4.splat(load<f32>(p, 32));
  v = f32x4.replace_lane(v, 1, load<f32>(p1, 32));
  v = f32x4.replace_lane(v, 2, load<f32>(p2, 32));
  v = f32x4.replace_lane(v, 3, load<f32>(p3, 32));
  v128.store(TAPS + (flip ? 0 : 8 << 4), v128.and(v, mask));
}

/** Tap k of the 4 kernels last loaded by load_taps. */
// @ts-ignore: decorator
@inline
export function tap(k: i32): v128 {
  return v128.load(TAPS + (<usize>k << 4));
}

/**
 * U = G g G^T for every (o, c) of one group, into A panels: panel i (outputs 4i..4i+3, one per lane) of
 * position ξ at up + ξ*xs + i*C*16, row c at + c*16. Lanes of padding outputs (o >= O) are zeros.
 *   flip: g is w[c][o] rotated by 180° (the input gradient as a forward conv); else g is w[o][c].
 *   wg: the group's weights, (O, C, 3, 3) or, with flip, (C, O, 3, 3)
 */
function weight_transform(up: usize, xs: usize, wg: usize, O: i32, C: i32, flip: bool): void {
  const half = f32x4.splat(0.5);
  const os: usize = flip ? 36 : <usize>C * 36;
  for (let o = 0; o < O; o += MR) {
    for (let c = 0; c < C; c++) {
      load_taps(wg + ((flip ? <usize>(c * O + o) * 9 : <usize>(o * C + c) * 9) << 2), os, min(MR, O - o), flip);
      const dst = up + <usize>(o / MR) * C * (MR * 4) + <usize>c * (MR * 4);
      // Row i of t = G g (4 x 3) is (g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2)[i] of the kernel rows g_u; each row
      // (a, b, e) of t then becomes (a, (a+b+e)/2, (a-b+e)/2, e).
      for (let i = 0; i < 4; i++) {
        let a: v128, b: v128, e: v128;
        if (i == 0 || i == 3) {
          const k = i == 0 ? 0 : 6;
          a = tap(k); b = tap(k + 1); e = tap(k + 2);
        } else {
          const s = f32x4.splat(i == 1 ? <f32>0.5 : <f32>-0.5);
          a = f32x4.add(f32x4.mul(f32x4.add(tap(0), tap(6)), half), f32x4.mul(tap(3), s));
          b = f32x4.add(f32x4.mul(f32x4.add(tap(1), tap(7)), half), f32x4.mul(tap(4), s));
          e = f32x4.add(f32x4.mul(f32x4.add(tap(2), tap(8)), half), f32x4.mul(tap(5), s));
        }
        const row = dst + <usize>(4 * i) * xs;
        v128.store(row, a);
        v128.store(row + xs, f32x4.mul(f32x4.add(f32x4.add(a, b), e), half));
        v128.store(row + 2 * xs, f32x4.mul(f32x4.add(f32x4.sub(a, b), e), half));
        v128.store(row + 3 * xs, e);
      }
    }
  }
}

/** Copies the C planes (H, W) at x into zero-padded planes (Hp, Wp) at xp, the plane's (0, 0) at (ph, pw). */
export function pad_planes(xp: usize, x: usize, C: i32, H: i32, W: i32, Hp: i32, Wp: i32, ph: i32, pw: i32): void {
  pad_rows(xp, x, C, H, W, Hp, Wp, ph, pw, 0, Hp);
}

/**
 * Rows i0 .. i1-1 of pad_planes' result, so that a caller can fill the planes band by band, just before it
 * reads them (the rows are then still in cache).
 */
export function pad_rows(xp: usize, x: usize, C: i32, H: i32, W: i32, Hp: i32, Wp: i32, ph: i32, pw: i32, i0: i32, i1: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const zero = f32x4.splat(0);
  const plane = <usize>Hp * Wp;
  const tail = pw + W; // first column right of the input (Wp is a multiple of 4)
  for (let c = 0; c < C; c++) {
    const dp = xp + ((<usize>c * plane) << 2);
    const sp = x + ((<usize>c * H * W) << 2);
    for (let i = i0; i < i1; i++) {
      const d = dp + ((<usize>i * Wp) << 2);
      const si = i - ph;
      if (si < 0 || si >= H) {
        for (let j = 0; j < Wp; j += 4) v128.store(d + (<usize>j << 2), zero);
        continue;
      }
      // An input row: zero the columns left of it (whole vectors, overwritten by the copy where they reach
      // into it), copy the W values at column pw, zero the columns right of it (vectors while they fit).
      for (let j = 0; j < pw; j += 4) v128.store(d + (<usize>j << 2), zero);
      const s = sp + ((<usize>si * W) << 2);
      const dd = d + (<usize>pw << 2);
      let j = 0;
      for (; j + 4 <= W; j += 4) v128.store(dd + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
      for (; j < W; j++) store<f32>(dd + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
      j = tail;
      for (; j + 4 <= Wp; j += 4) v128.store(d + (<usize>j << 2), zero);
      for (; j < Wp; j++) store<f32>(d + (<usize>j << 2), 0);
    }
  }
}

/**
 * Stride 1: B^T d B for 4 tiles, lanes 0-1 = the 2 tiles whose patches start at columns 0 and 2 of a (rows at
 * a, a + rs, ...), lanes 2-3 = the same at b (b = a + 16 bytes for 4 tiles side by side); ξ at dst + ξ*xs.
 */
// @ts-ignore: decorator
@inline
export function input_tiles4(dst: usize, xs: usize, a: usize, b: usize, rs: usize): void {
  // Row r: d_j = column 2k + j of lane k's patch (even/odd lanes of the two pairs' first 4 columns and of
  // the 4 from column 2), then the row transform t = d B: (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
  let qa = v128.load(a), qb = v128.load(b), ea = v128.load(a, 8), eb = v128.load(b, 8);
  let d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6), d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  let d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6), d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r00 = f32x4.sub(d0, d2), r01 = f32x4.add(d1, d2), r02 = f32x4.sub(d2, d1), r03 = f32x4.sub(d1, d3);
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r10 = f32x4.sub(d0, d2), r11 = f32x4.add(d1, d2), r12 = f32x4.sub(d2, d1), r13 = f32x4.sub(d1, d3);
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  const r20 = f32x4.sub(d0, d2), r21 = f32x4.add(d1, d2), r22 = f32x4.sub(d2, d1), r23 = f32x4.sub(d1, d3);
  // Column transform: (r0 - r2, r1 + r2, r2 - r1, r1 - r3); rows 0 and 2 are only needed as r0 - r2.
  v128.store(dst, f32x4.sub(r00, r20));
  v128.store(dst + xs, f32x4.sub(r01, r21));
  v128.store(dst + 2 * xs, f32x4.sub(r02, r22));
  v128.store(dst + 3 * xs, f32x4.sub(r03, r23));
  v128.store(dst + 4 * xs, f32x4.add(r10, r20));
  v128.store(dst + 5 * xs, f32x4.add(r11, r21));
  v128.store(dst + 6 * xs, f32x4.add(r12, r22));
  v128.store(dst + 7 * xs, f32x4.add(r13, r23));
  v128.store(dst + 8 * xs, f32x4.sub(r20, r10));
  v128.store(dst + 9 * xs, f32x4.sub(r21, r11));
  v128.store(dst + 10 * xs, f32x4.sub(r22, r12));
  v128.store(dst + 11 * xs, f32x4.sub(r23, r13));
  a += rs; b += rs;
  qa = v128.load(a); qb = v128.load(b); ea = v128.load(a, 8); eb = v128.load(b, 8);
  d0 = f32x4.shuffle(qa, qb, 0, 2, 4, 6); d1 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  d2 = f32x4.shuffle(ea, eb, 0, 2, 4, 6); d3 = f32x4.shuffle(ea, eb, 1, 3, 5, 7);
  v128.store(dst + 12 * xs, f32x4.sub(r10, f32x4.sub(d0, d2)));
  v128.store(dst + 13 * xs, f32x4.sub(r11, f32x4.add(d1, d2)));
  v128.store(dst + 14 * xs, f32x4.sub(r12, f32x4.sub(d2, d1)));
  v128.store(dst + 15 * xs, f32x4.sub(r13, f32x4.sub(d1, d3)));
}

/** Stores the first n (1..4) lanes of v at dst, adding to what is there if acc. */
// @ts-ignore: decorator
@inline
export function store_n(dst: usize, v: v128, n: i32, acc: bool): void {
  if (n >= 4) {
    v128.store(dst, acc ? f32x4.add(v, v128.load(dst)) : v);
    return;
  }
  store<f32>(dst, (acc ? load<f32>(dst) : 0) + f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(dst + 4, (acc ? load<f32>(dst + 4) : 0) + f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(dst + 8, (acc ? load<f32>(dst + 8) : 0) + f32x4.extract_lane(v, 2));
}

/**
 * Output geometry of the 4-tile groups of a block, 4 i32 per group: byte offsets (in an output plane) of the
 * top-left output of lanes 0-1 and of lanes 2-3, and for each pair cols | rows << 8 (valid columns 1..4,
 * rows 0..2). Filled once per block; the output loop reads it once per output channel.
 */
export const GEO_TILES: i32 = TB_FLOATS / 16;
export const GEO = new StaticArray<i32>(GEO_TILES);

/** Byte offset, in a padded plane of rows rs bytes, of the patch of tile t (tW per row, step inputs apart). */
// @ts-ignore: decorator
@inline
export function tile_offset(t: i32, tW: i32, rs: usize, step: i32): usize {
  const ty = t / tW;
  return <usize>(step * ty) * rs + (<usize>(step * (t - ty * tW)) << 2);
}

/**
 * Notes at q (in GEO) the output geometry of the 4 tiles tA..tA+3 (of T, tW per row) of an OH x OW plane,
 * each tile s x s outputs (2, or 4 for conv_winograd_t2.ts): offsets of the two tile pairs, and the columns
 * (of 2s) and rows (of s) of each pair inside the plane.
 */
// @ts-ignore: decorator
@inline
export function note_tiles4(q: usize, tA: i32, T: i32, tW: i32, OH: i32, OW: i32, s: i32 = 2): void {
  const tB = tA + 2;
  const tyA = tA / tW, tyB = tB / tW;
  const txA = tA - tyA * tW, txB = tB - tyB * tW;
  store<i32>(q, (s * tyA * OW + s * txA) << 2);
  store<i32>(q, (s * tyB * OW + s * txB) << 2, 4);
  store<i32>(q, min(OW - s * txA, 2 * s) | (min(OH - s * tyA, s) << 8), 8);
  store<i32>(q, tB < T ? min(OW - s * txB, 2 * s) | (min(OH - s * tyB, s) << 8) : 0, 12);
}

/**
 * Writes (or adds, acc) the 2x2 outputs (y_ab, lane k = tile k) of 4 tiles of the output plane yo (row stride
 * rs bytes) where the group geometry at geo says, plus the bias bv if biased; columns and rows past the plane
 * are dropped.
 */
// @ts-ignore: decorator
@inline
export function store_tile4(yo: usize, geo: usize, rs: usize, y00: v128, y01: v128, y10: v128, y11: v128, acc: bool, bv: v128, biased: bool): void {
  if (biased) {
    y00 = f32x4.add(bv, y00);
    y01 = f32x4.add(bv, y01);
    y10 = f32x4.add(bv, y10);
    y11 = f32x4.add(bv, y11);
  }
  // Interleaved per tile into output order (y_i0, y_i1 of tile 0, then of tile 1, ...).
  const lo0 = f32x4.shuffle(y00, y01, 0, 4, 1, 5), hi0 = f32x4.shuffle(y00, y01, 2, 6, 3, 7);
  const lo1 = f32x4.shuffle(y10, y11, 0, 4, 1, 5), hi1 = f32x4.shuffle(y10, y11, 2, 6, 3, 7);
  const outA = yo + <usize>load<i32>(geo), outB = yo + <usize>load<i32>(geo, 4);
  const ga = load<i32>(geo, 8), gb = load<i32>(geo, 12);
  const colsA = ga & 255, rowsA = ga >> 8, colsB = gb & 255, rowsB = gb >> 8;
  store_n(outA, lo0, colsA, acc);
  if (rowsA > 1) store_n(outA + rs, lo1, colsA, acc);
  if (rowsB > 0) store_n(outB, hi0, colsB, acc);
  if (rowsB > 1) store_n(outB + rs, hi1, colsB, acc);
}

/** A^T m A for 4 tiles (m_ξ at src + ξ*xs), written through store_tile4. */
// @ts-ignore: decorator
@inline
function output_tiles4(yo: usize, geo: usize, rs: usize, src: usize, xs: usize, acc: bool, bv: v128, biased: bool): void {
  // s_i = (m_i0 + m_i1 + m_i2, m_i1 - m_i2 - m_i3) for each row i, then y0 = s0 + s1 + s2, y1 = s1 - s2 - s3.
  let m0 = v128.load(src), m1 = v128.load(src + xs), m2 = v128.load(src + 2 * xs), m3 = v128.load(src + 3 * xs);
  const s00 = f32x4.add(f32x4.add(m0, m1), m2), s01 = f32x4.sub(f32x4.sub(m1, m2), m3);
  m0 = v128.load(src + 4 * xs); m1 = v128.load(src + 5 * xs); m2 = v128.load(src + 6 * xs); m3 = v128.load(src + 7 * xs);
  const s10 = f32x4.add(f32x4.add(m0, m1), m2), s11 = f32x4.sub(f32x4.sub(m1, m2), m3);
  m0 = v128.load(src + 8 * xs); m1 = v128.load(src + 9 * xs); m2 = v128.load(src + 10 * xs); m3 = v128.load(src + 11 * xs);
  const s20 = f32x4.add(f32x4.add(m0, m1), m2), s21 = f32x4.sub(f32x4.sub(m1, m2), m3);
  m0 = v128.load(src + 12 * xs); m1 = v128.load(src + 13 * xs); m2 = v128.load(src + 14 * xs); m3 = v128.load(src + 15 * xs);
  const s30 = f32x4.add(f32x4.add(m0, m1), m2), s31 = f32x4.sub(f32x4.sub(m1, m2), m3);
  store_tile4(yo, geo, rs, f32x4.add(f32x4.add(s00, s10), s20), f32x4.add(f32x4.add(s01, s11), s21),
    f32x4.sub(f32x4.sub(s10, s20), s30), f32x4.sub(f32x4.sub(s11, s21), s31), acc, bv, biased);
}

/**
 * y (+)= conv(x, w) for 3x3 kernels, dilation 1, stride s = 1 or 2, in the conv2d view. Each tile is 2x2
 * outputs; its input patch is 4x4 (s = 1) or 5x5 (s = 2), tiles 2s apart.
 *   y: (N, O, OH, OW)   x: (N, C, H, W)   w: (O, C/G, 3, 3), or with flip (s = 1 only) (C, O/G, 3, 3) read
 *   transposed and rotated (what the input gradient needs)   b: (O) bias or 0 (only without acc)
 *   acc: add to y instead of overwriting it.
 */
export function conv_fwd_winograd(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, OH: i32, OW: i32, ph: i32, pw: i32, G: i32, s: i32, acc: bool, flip: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (s == 2) {
    conv_fwd_winograd_s2(y, x, w, b, N, C, H, W, O, OH, OW, ph, pw, G, acc);
    return;
  }
  const Cg = C / G, Og = O / G, P = OH * OW;
  const HW = <usize>H * W;
  const NX = 16; // transform positions (GEMMs) per tile
  const tH = (OH + 1) >> 1;
  const tW = (((OW + 1) >> 1) + 1) & ~1; // tiles per row, even
  const T = tH * tW;
  // Padded plane: every tile's patch (a tile pair's loads reach 2 floats past its patches), rows of a
  // multiple of 4 floats.
  const Hp = max(2 * tH + 2, H + ph);
  const Wp = (max(2 * tW + 2, W + pw) + 3) & ~3;
  const plane = <usize>Hp * Wp;
  let TB = (TB_FLOATS / max(Cg, Og)) & ~(NR - 1);
  if (TB < 2 * NR) TB = 2 * NR;
  if (TB > GEO_TILES) TB = GEO_TILES;
  if (TB > T) TB = (T + NR - 1) & ~(NR - 1);
  // U for all groups: group g, position ξ at up + g*gs + ξ*uxs.
  const aps = <usize>Cg * (MR * 4);
  const uxs = <usize>((Og + MR - 1) / MR) * aps;
  const gs: usize = <usize>NX * uxs;
  const up = scratch(0, <usize>G * gs);
  for (let g = 0; g < G; g++) {
    const wg = w + ((<usize>g * Og * Cg * 9) << 2);
    weight_transform(up + <usize>g * gs, uxs, wg, Og, Cg, flip);
  }
  // The NX positions' blocks are written (V) and read (M) together: their strides get a 256-byte skew so
  // that the streams never map to the same L1 set (power-of-two strides would).
  const vxs = <usize>Cg * TB * 4 + 256; // V: position ξ at vp + ξ*vxs, panel j at + j*Cg*32, row c at + c*32
  const vp = scratch(1, <usize>NX * vxs);
  const mxs = <usize>Og * TB * 4 + 256; // M: position ξ at mp + ξ*mxs, row o at + o*TB*4
  const mp = scratch(2, <usize>NX * mxs);
  const xp = scratch(3, (<usize>Cg * plane) << 2);
  const rs = <usize>Wp << 2, ors = <usize>OW << 2;
  const geo = changetype<usize>(GEO);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      pad_planes(xp, x + ((<usize>(n * C + g * Cg) * HW) << 2), Cg, H, W, Hp, Wp, ph, pw);
      const yg = y + ((<usize>(n * O + g * Og) * P) << 2);
      const ug = up + <usize>g * gs;
      for (let t0 = 0; t0 < T; t0 += TB) {
        const nt = min(TB, T - t0);
        // Input transform, 4 tiles (2 pairs, possibly on 2 tile rows) per f32x4; a lone last pair is read
        // twice. The output geometry of each group is noted on the way.
        for (let t = 0; t < nt; t += 4) {
          const tA = t0 + t;
          const pa = xp + tile_offset(tA, tW, rs, 2), pb = xp + tile_offset(min(tA + 2, T - 2), tW, rs, 2);
          const dst = vp + <usize>(t >> 3) * Cg * (NR * 4) + (<usize>(t & 7) << 2);
          for (let c = 0; c < Cg; c++) {
            const co = (<usize>c * plane) << 2;
            input_tiles4(dst + <usize>c * (NR * 4), vxs, pa + co, pb + co, rs);
          }
          note_tiles4(geo + (<usize>t << 2), tA, T, tW, OH, OW);
        }
        for (let xi = 0; xi < NX; xi++) {
          gemm_packed(ug + <usize>xi * uxs, aps, vp + <usize>xi * vxs, Og, nt, Cg, mp + <usize>xi * mxs, <usize>TB << 2, false);
        }
        // Output transform, 4 tiles per f32x4, channel by channel.
        for (let o = 0; o < Og; o++) {
          const yo = yg + ((<usize>o * P) << 2);
          const mo = mp + <usize>o * TB * 4;
          const bv = f32x4.splat(b ? load<f32>(b + (<usize>(g * Og + o) << 2)) : 0);
          const biased = b != 0;
          for (let t = 0; t < nt; t += 4) {
            output_tiles4(yo, geo + (<usize>t << 2), ors, mo + (<usize>t << 2), mxs, acc, bv, biased);
          }
        }
      }
    }
  }
}
