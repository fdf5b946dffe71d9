// Forward convolution of groups with one input channel (internal: called from conv_simd.ts), stride 1 and
// dilation 1: LeNet's first layer (1 -> 6, 5x5) and depthwise convolutions (groups = channels).
//
// With one input channel the GEMM's depth is just KH*KW (25 for LeNet's conv1): each 4x8 tile of the GEMM
// paths does 25 steps and then an epilogue (a C block, transposes into y) that costs about as much again, and
// Og = 6 fills 4-row panels badly. Here the lanes run along the output row instead, which is y's layout:
// a tile is R <= 3 output channels x 8 adjacent positions of one output row, two f32x4 accumulators per
// channel, and tap (u, v) adds w[o][u][v] * (the 8 input pixels at row i+u, columns j+v ..) to them: two
// unaligned loads and R weight splats per 4R multiply-adds, no packing, and the sums go straight to y.
// The input plane is first copied into a zero-padded scratch plane (the padding and the 8-wide tiles of a
// row's end read zeros, no tests in the loop).
//
// Exactness: each output is b + (((0 + w0 x0) + w1 x1) + ...) over the taps in (u, v) order, the products and
// order of summation of the GEMM paths (k = u*KW + v), with the same madd; so results are bit-identical to
// them (and to the relaxed build's fused madd where that build runs).
import { scratch } from "./memory";
import { madd } from "./conv_gemm";

/** Whether conv_fwd_direct1 applies: one input channel per group, stride and dilation 1, a full tile row. */
export function direct1_applies(
  Cg: i32, H: i32, W: i32, KH: i32, KW: i32, OH: i32, OW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
): bool {
  return Cg == 1 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && OW >= 8 &&
    OH == H + 2 * ph - KH + 1 && OW == W + 2 * pw - KW + 1;
}

/** Stores v at p: all 4 lanes when n >= 4, else the first n (n > 0). acc: add to what is there. */
// @ts-ignore: decorator
@inline function storePart(p: usize, v: v128, n: i32, acc: bool): void {
  if (n >= 4) {
    v128.store(p, acc ? f32x4.add(v128.load(p), v) : v);
    return;
  }
  for (let l = 0; l < n; l++) {
    const q = p + (<usize>l << 2);
    // Lane l of v, by shifting it into lane 0 (extract_lane needs a constant lane).
    let s = f32x4.extract_lane(v, 0);
    if (l == 1) s = f32x4.extract_lane(v, 1);
    else if (l == 2) s = f32x4.extract_lane(v, 2);
    store<f32>(q, acc ? load<f32>(q) + s : s);
  }
}

/**
 * One tile: channels o .. o+R-1 (R = 1..3, a constant after inlining) at output positions j .. j+7 of one
 * output row. xr: padded plane at (row i, column j); wr: w[o] (KH*KW floats, channels KK*4 bytes apart);
 * yr: y at (o, i, j), channels P*4 bytes apart; nv: valid positions (<= 8); bias: 0 or b + o.
 */
// @ts-ignore: decorator
@inline function tile(
  R: i32, NV: i32, yr: usize, ys: usize, xr: usize, Wp: usize, wr: usize, KH: i32, KW: i32, nv: i32, bias: usize, acc: bool,
): void {
  const z = f32x4.splat(0);
  let a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z;
  const ws = <usize>(KH * KW) << 2;
  let wp = wr;
  for (let u = 0; u < KH; u++) {
    let xp = xr + <usize>u * Wp;
    const xe = xp + (<usize>KW << 2);
    for (; xp < xe; xp += 4, wp += 4) {
      const x0 = v128.load(xp), x1 = NV == 2 ? v128.load(xp, 16) : z;
      let s = v128.load32_splat(wp);
      a0 = madd(s, x0, a0);
      if (NV == 2) a1 = madd(s, x1, a1);
      if (R >= 2) {
        s = v128.load32_splat(wp + ws);
        b0 = madd(s, x0, b0);
        if (NV == 2) b1 = madd(s, x1, b1);
      }
      if (R >= 3) {
        s = v128.load32_splat(wp + 2 * ws);
        c0 = madd(s, x0, c0);
        if (NV == 2) c1 = madd(s, x1, c1);
      }
    }
  }
  // bias[o] + sum: the value and rounding of the GEMM paths' epilogue.
  if (bias) {
    let s = v128.load32_splat(bias);
    a0 = f32x4.add(s, a0); a1 = f32x4.add(s, a1);
    if (R >= 2) { s = v128.load32_splat(bias, 4); b0 = f32x4.add(s, b0); b1 = f32x4.add(s, b1); }
    if (R >= 3) { s = v128.load32_splat(bias, 8); c0 = f32x4.add(s, c0); c1 = f32x4.add(s, c1); }
  }
  storePart(yr, a0, nv, acc);
  if (nv > 4) storePart(yr + 16, a1, nv - 4, acc);
  if (R >= 2) {
    storePart(yr + ys, b0, nv, acc);
    if (nv > 4) storePart(yr + ys + 16, b1, nv - 4, acc);
  }
  if (R >= 3) {
    storePart(yr + 2 * ys, c0, nv, acc);
    if (nv > 4) storePart(yr + 2 * ys + 16, c1, nv - 4, acc);
  }
}

/**
 * y (+)= b + conv(x, w) for groups of one input channel, stride 1, dilation 1 (see the header).
 *   y: (N, O, OH, OW)   x: (N, G, H, W)   w: (O, 1, KH, KW)   b: (O) or 0 (only without acc)
 */
export function conv_fwd_direct1(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32, ph: i32, pw: i32, G: i32, acc: bool,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Og = O / G, KK = KH * KW, P = OH * OW;
  // Padded plane: OH + KH - 1 rows of Wp floats; tiles of 8 reach column ceil(OW/8)*8 + KW - 2.
  const Hp = OH + KH - 1;
  const Wp = (((OW + 7) & ~7) + KW - 1 + 3) & ~3;
  const rowB = <usize>Wp << 2;
  const xp = scratch(1, <usize>Hp * rowB);
  const ys = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      // The plane, zero-padded: rows ph .. ph+H-1, columns pw .. pw+W-1 (clipped where the output is smaller).
      memory.fill(xp, 0, <usize>Hp * rowB);
      const src = x + ((<usize>(n * G + g) * H * W) << 2);
      const cols = min(W, Wp - pw);
      for (let r = 0; r < H; r++) {
        const pr = r + ph;
        if (pr >= Hp) break;
        memory.copy(xp + <usize>pr * rowB + (<usize>pw << 2), src + ((<usize>r * W) << 2), <usize>cols << 2);
      }
      for (let o = 0; o < Og; o += 3) {
        const R = min(3, Og - o);
        const oc = g * Og + o;
        const wr = w + ((<usize>oc * KK) << 2);
        const bias = b ? b + (<usize>oc << 2) : 0;
        const yo = y + ((<usize>(n * O + oc) * P) << 2);
        for (let i = 0; i < OH; i++) {
          const xr = xp + <usize>i * rowB;
          const yr = yo + ((<usize>i * OW) << 2);
          // 8 positions per tile; a row's last 1..4 positions take a one-vector tile.
          let j = 0;
          for (; j + 4 < OW; j += 8) {
            const nv = min(8, OW - j);
            const jb = <usize>j << 2;
            if (R == 3) tile(3, 2, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
            else if (R == 2) tile(2, 2, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
            else tile(1, 2, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
          }
          if (j < OW) {
            const nv = OW - j;
            const jb = <usize>j << 2;
            if (R == 3) tile(3, 1, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
            else if (R == 2) tile(2, 1, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
            else tile(1, 1, yr + jb, ys, xr + jb, rowB, wr, KH, KW, nv, bias, acc);
          }
        }
      }
    }
  }
}
