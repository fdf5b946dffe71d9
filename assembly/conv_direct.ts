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
// The input gradient of a depthwise convolution (one input and one output channel per group) with stride and
// dilation 1 is the same kind of forward: gy, zero-padded by (KH-1-ph, KW-1-pw), correlated with each
// group's kernel rotated by 180 degrees, added to gx. Its padding zeros meet every weight, so it only runs on
// finite weights (0 * inf is a NaN that PyTorch's sum, which has only the in-range taps, does not contain).
//
// The weight gradient in the same layout: for each image and output channel, tap t = (u, v) sums gy's plane
// times the padded input shifted by (u, v), four positions per f32x4, nine taps per pass (nine accumulators,
// one gy load and nine input loads per 4 x 9 multiply-adds), then the lanes into gw[o][t].
//
// Exactness: each output is b + (((0 + w0 x0) + w1 x1) + ...) over the taps in (u, v) order, the products and
// order of summation of the GEMM paths (k = u*KW + v), with the same madd; so results are bit-identical to
// them (and to the relaxed build's fused madd where that build runs).
import { scratch } from "./memory";
import { madd } from "./conv_gemm";
import { all_finite } from "./conv_batched_bwd";
import { add_lanes } from "./conv_batched";

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
 * Row bytes of the padded plane: the 8-wide tiles of a row of OW outputs read up to column
 * ceil(OW/8)*8 + KW - 2 (the padded input's own width is OW + KW - 1 at stride 1).
 */
// @ts-ignore: decorator
@inline function paddedRowBytes(OW: i32, KW: i32): usize {
  return <usize>((((OW + 7) & ~7) + KW - 1 + 3) & ~3) << 2;
}

/** dst (Hp rows of rowB bytes) = the plane src (H, W) at row ph, column pw, zeros elsewhere. */
function padPlane(dst: usize, src: usize, H: i32, W: i32, Hp: i32, rowB: usize, ph: i32, pw: i32): void {
  memory.fill(dst, 0, <usize>Hp * rowB);
  for (let r = 0; r < H && r + ph < Hp; r++) {
    memory.copy(dst + <usize>(r + ph) * rowB + (<usize>pw << 2), src + ((<usize>r * W) << 2), <usize>W << 2);
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
  const Hp = OH + KH - 1, rowB = paddedRowBytes(OW, KW);
  const xp = scratch(1, <usize>Hp * rowB);
  const ys = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      padPlane(xp, x + ((<usize>(n * G + g) * H * W) << 2), H, W, Hp, rowB, ph, pw);
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

/**
 * gx += depthwise conv2d's adjoint of gy when it suits (see the header: C == G == O, stride and dilation 1,
 * padding below the kernel size, >= 8 input columns, finite weights); returns false, doing nothing, otherwise.
 *   gx: (N, C, H, W) +=   gy: (N, C, OH, OW)   w: (C, 1, KH, KW)
 */
export function try_conv_bwd_input_direct1(
  gx: usize, gy: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): bool {
  if (!ASC_FEATURE_SIMD) { unreachable(); return false; }
  if (C != G || O != G || ph > KH - 1 || pw > KW - 1) return false;
  const qh = KH - 1 - ph, qw = KW - 1 - pw;
  if (!direct1_applies(1, OH, OW, KH, KW, H, W, sh, sw, qh, qw, dh, dw) || OH != H + 2 * ph - KH + 1) return false;
  const KK = KH * KW;
  if (!all_finite(w, C * KK)) return false;
  // The kernels rotated by 180 degrees: wr[g][t] = w[g][KK-1-t].
  const wr = scratch(0, (<usize>C * KK) << 2);
  for (let g = 0; g < C; g++) {
    const src = w + ((<usize>g * KK) << 2), dst = wr + ((<usize>g * KK) << 2);
    for (let t = 0; t < KK; t++) store<f32>(dst + (<usize>t << 2), load<f32>(src + (<usize>(KK - 1 - t) << 2)));
  }
  conv_fwd_direct1(gx, gy, wr, 0, N, OH, OW, C, KH, KW, H, W, qh, qw, G, true);
  return true;
}

/** Taps per weight-gradient pass: 9 accumulators + gy + input + product fit the 15 allocatable xmm registers. */
const TAPS = 9;

/**
 * gw[t] += sum over output rows i and columns j of gyp[i][j] * xp[i*rowB + j*4 + off[t]], t < nt (<= TAPS).
 * gyp: (OH, OWp) with zeros past OW; xp: the padded plane; off: byte offsets of the taps (TAPS i32, unused
 * ones 0).
 */
function filterTaps(gw: usize, gyp: usize, OH: i32, OWp: i32, xp: usize, rowB: usize, off: usize, nt: i32): void {
  const o0 = <usize>load<i32>(off), o1 = <usize>load<i32>(off, 4), o2 = <usize>load<i32>(off, 8);
  const o3 = <usize>load<i32>(off, 12), o4 = <usize>load<i32>(off, 16), o5 = <usize>load<i32>(off, 20);
  const o6 = <usize>load<i32>(off, 24), o7 = <usize>load<i32>(off, 28), o8 = <usize>load<i32>(off, 32);
  const z = f32x4.splat(0);
  let s0 = z, s1 = z, s2 = z, s3 = z, s4 = z, s5 = z, s6 = z, s7 = z, s8 = z;
  let gp = gyp;
  for (let i = 0; i < OH; i++) {
    let xr = xp + <usize>i * rowB;
    const ge = gp + (<usize>OWp << 2);
    for (; gp < ge; gp += 16, xr += 16) {
      const g = v128.load(gp);
      s0 = madd(g, v128.load(xr + o0), s0);
      s1 = madd(g, v128.load(xr + o1), s1);
      s2 = madd(g, v128.load(xr + o2), s2);
      s3 = madd(g, v128.load(xr + o3), s3);
      s4 = madd(g, v128.load(xr + o4), s4);
      s5 = madd(g, v128.load(xr + o5), s5);
      s6 = madd(g, v128.load(xr + o6), s6);
      s7 = madd(g, v128.load(xr + o7), s7);
      s8 = madd(g, v128.load(xr + o8), s8);
    }
  }
  add_lanes(gw, s0);
  if (nt > 1) add_lanes(gw + 4, s1);
  if (nt > 2) add_lanes(gw + 8, s2);
  if (nt > 3) add_lanes(gw + 12, s3);
  if (nt > 4) add_lanes(gw + 16, s4);
  if (nt > 5) add_lanes(gw + 20, s5);
  if (nt > 6) add_lanes(gw + 24, s6);
  if (nt > 7) add_lanes(gw + 28, s7);
  if (nt > 8) add_lanes(gw + 32, s8);
}

/**
 * gw += conv2d's weight gradient for groups of one input channel, stride and dilation 1 (direct1_applies).
 *   gw: (O, 1, KH, KW) +=   gy: (N, O, OH, OW)   x: (N, G, H, W)
 */
export function conv_bwd_filter_direct1(
  gw: usize, gy: usize, x: usize, N: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  ph: i32, pw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Og = O / G, KK = KH * KW, P = OH * OW;
  const Hp = OH + KH - 1, rowB = paddedRowBytes(OW, KW);
  const OWp = (OW + 3) & ~3;
  const xp = scratch(1, <usize>Hp * rowB);
  const gyp = scratch(2, (<usize>OH * OWp) << 2);
  const off = scratch(3, (<usize>KK + TAPS) << 2);
  for (let t = 0; t < KK + TAPS; t++) {
    const u = t / KW;
    store<i32>(off + (<usize>t << 2), t < KK ? u * <i32>rowB + ((t - u * KW) << 2) : 0);
  }
  if (OWp > OW) memory.fill(gyp, 0, (<usize>OH * OWp) << 2); // the columns past OW stay zero
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      padPlane(xp, x + ((<usize>(n * G + g) * H * W) << 2), H, W, Hp, rowB, ph, pw);
      for (let o = g * Og; o < (g + 1) * Og; o++) {
        const src = gy + ((<usize>(n * O + o) * P) << 2);
        for (let i = 0; i < OH; i++) {
          memory.copy(gyp + ((<usize>i * OWp) << 2), src + ((<usize>i * OW) << 2), <usize>OW << 2);
        }
        const gwo = gw + ((<usize>o * KK) << 2);
        for (let t0 = 0; t0 < KK; t0 += TAPS) {
          filterTaps(gwo + (<usize>t0 << 2), gyp, OH, OWp, xp, rowB, off + (<usize>t0 << 2), min(TAPS, KK - t0));
        }
      }
    }
  }
}
