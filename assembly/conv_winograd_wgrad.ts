// Weight gradient of 3x3, dilation-1, stride-1 convolutions through Winograd F(2x2, 3x3) (internal: called
// from conv_simd.ts). The transforms are those of the forward (conv_winograd.ts), run backwards.
//
// The forward computes each 2x2 output tile as Y = A^T [ U ⊙ V ] A with U = G g G^T (per (o, c)) and
// V = B^T d B (per input tile and channel), summed over c. Its adjoint for the weights is, per position ξ of
// the 4x4 transform domain,
//   dU_ξ (O x C) = sum over images and tiles t of M_ξ(o, t) * V_ξ(c, t),    M = A dY A^T (4x4 from 2x2)
// i.e. 16 GEMMs of depth T (the tiles) on the 4x8 engine of conv_gemm.ts, followed by dg = G^T dU G (4x4 ->
// 3x3) per (o, c), added into gw. 16 multiply-adds per tile instead of 36 per 2x2 outputs: 2.25x less work.
//   - the input is copied per image and group into zero-padded planes and transformed 4 tiles per f32x4
//     exactly as the forward does (input_tiles4); gy is copied into zero-padded planes too, so tiles past
//     the output edge (odd OH / OW, the forward's phantom tiles) have dY = 0 and add nothing;
//   - both transforms are done for 4 channels into a 1 KiB buffer, then 4x4-transposed straight into GEMM
//     panels (tiles are the GEMM depth: a panel holds, per tile, 4 output channels (A) or 8 input channels
//     (B)), so no other repacking pass is needed;
//   - dU accumulates over tile blocks and images in a scratch buffer; the back transform runs once per group.
// Exactness: constants 0, ±1, ±½ (exact in f32); the rounding is a few ulps of the sums' magnitude. Like the
// forward, a NaN or infinity would spread over whole tiles (and inf - inf gives NaN), so conv_simd.ts only
// comes here when winograd_safe() accepts x and gy.
import { scratch } from "./memory";
import { gemm_packed, transpose4_store, MR, NR } from "./conv_gemm";
import { pad_planes, input_tiles4, tile_offset } from "./conv_winograd";

/** 16 positions x 4 channels x 4 tiles: one group of 4 tiles of 4 channels, before the transpose. */
const TMP: usize = memory.data(16 * 4 * 16, 16);

/**
 * M = A dY A^T for 4 tiles of one gy plane (lanes 0-1: the 2 tiles whose 2x2 blocks start at columns 0 and
 * 2 of a, lanes 2-3: the same at b; rows rs bytes apart); ξ at dst + ξ*xs.
 */
// @ts-ignore: decorator
@inline
function grad_tiles4(dst: usize, xs: usize, a: usize, b: usize, rs: usize): void {
  let qa = v128.load(a), qb = v128.load(b);
  const y00 = f32x4.shuffle(qa, qb, 0, 2, 4, 6), y01 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  qa = v128.load(a + rs); qb = v128.load(b + rs);
  const y10 = f32x4.shuffle(qa, qb, 0, 2, 4, 6), y11 = f32x4.shuffle(qa, qb, 1, 3, 5, 7);
  // Each row (p, q) of dY becomes (p, p + q, p - q, -q) (dY A^T), then each column the same (A on the left).
  const r00 = y00, r01 = f32x4.add(y00, y01), r02 = f32x4.sub(y00, y01), r03 = f32x4.neg(y01);
  const r10 = y10, r11 = f32x4.add(y10, y11), r12 = f32x4.sub(y10, y11), r13 = f32x4.neg(y11);
  v128.store(dst, r00);
  v128.store(dst + xs, r01);
  v128.store(dst + 2 * xs, r02);
  v128.store(dst + 3 * xs, r03);
  v128.store(dst + 4 * xs, f32x4.add(r00, r10));
  v128.store(dst + 5 * xs, f32x4.add(r01, r11));
  v128.store(dst + 6 * xs, f32x4.add(r02, r12));
  v128.store(dst + 7 * xs, f32x4.add(r03, r13));
  v128.store(dst + 8 * xs, f32x4.sub(r00, r10));
  v128.store(dst + 9 * xs, f32x4.sub(r01, r11));
  v128.store(dst + 10 * xs, f32x4.sub(r02, r12));
  v128.store(dst + 11 * xs, f32x4.sub(r03, r13));
  v128.store(dst + 12 * xs, f32x4.neg(r10));
  v128.store(dst + 13 * xs, f32x4.neg(r11));
  v128.store(dst + 14 * xs, f32x4.neg(r12));
  v128.store(dst + 15 * xs, f32x4.neg(r13));
}

/**
 * Moves the TMP group (position ξ at + ξ*64, channel k at + k*16, lane = tile) into 16 panels: position ξ at
 * dst + ξ*xs, one tile per ds bytes (the 4 channels of a tile side by side).
 */
// @ts-ignore: decorator
@inline
function tmp_to_panels(dst: usize, xs: usize, ds: usize): void {
  for (let xi = 0; xi < 16; xi++) {
    const s = TMP + (<usize>xi << 6);
    transpose4_store(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), dst + <usize>xi * xs, ds);
  }
}

/** dU G (12 f32x4, row i column v at (3i + v)*16), then G^T dU G (9 f32x4, tap u*3 + v at + 16 * tap). */
const ROWS: usize = memory.data(12 * 16, 16);
const TAPS9: usize = memory.data(9 * 16, 16);

/**
 * gw[o][c + k] += G^T dU(o, c + k) G for the 4 channels c..c+3 (lanes; only k < n stored) of one output row.
 *   gwo: gw[o][c] (9 floats per channel)   du: dU_ξ(o, c..c+3) at du + ξ*xs
 */
function back_transform4(gwo: usize, du: usize, xs: usize, n: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const half = f32x4.splat(0.5);
  // Each row (a, b, e, f) of dU becomes (a + (b+e)/2, (b-e)/2, (b+e)/2 + f), then each column the same.
  for (let i = 0; i < 4; i++) {
    const r = du + <usize>(4 * i) * xs;
    const a = v128.load(r), b = v128.load(r + xs), e = v128.load(r + 2 * xs), f = v128.load(r + 3 * xs);
    const s = f32x4.mul(f32x4.add(b, e), half);
    const dst = ROWS + (<usize>(3 * i) << 4);
    v128.store(dst, f32x4.add(a, s));
    v128.store(dst, f32x4.mul(f32x4.sub(b, e), half), 16);
    v128.store(dst, f32x4.add(s, f), 32);
  }
  for (let v = 0; v < 3; v++) {
    const r = ROWS + (<usize>v << 4);
    const a = v128.load(r), b = v128.load(r, 48), e = v128.load(r, 96), f = v128.load(r, 144);
    const s = f32x4.mul(f32x4.add(b, e), half);
    const dst = TAPS9 + (<usize>v << 4);
    v128.store(dst, f32x4.add(a, s));
    v128.store(dst, f32x4.mul(f32x4.sub(b, e), half), 48);
    v128.store(dst, f32x4.add(s, f), 96);
  }
  for (let k = 0; k < n; k++) {
    const p = gwo + (<usize>(9 * k) << 2);
    for (let j = 0; j < 9; j++) {
      const q = p + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(TAPS9 + (<usize>(4 * j + k) << 2)));
    }
  }
}

/**
 * gw += the weight gradient of y = conv(x, w) for 3x3 kernels, dilation 1, stride 1, in the conv2d view.
 *   gw: (O, C/G, 3, 3)   gy: (N, O, OH, OW)   x: (N, C, H, W)   OH = H + 2ph - 2, OW = W + 2pw - 2
 */
export function conv_bwd_filter_winograd(
  gw: usize, gy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, OH: i32, OW: i32, ph: i32, pw: i32, G: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const Cg = C / G, Og = O / G, P = OH * OW;
  const HW = <usize>H * W;
  // The forward's tiling: tiles numbered row by row, an even number per row, so that a pair of tiles never
  // straddles two rows.
  const tH = (OH + 1) >> 1;
  const tW = (((OW + 1) >> 1) + 1) & ~1;
  const T = tH * tW;
  // Input planes as in the forward; gy planes (2tH + 2) x 2tW, whose 2 extra rows are the zero dY of the
  // phantom pair of a 4-tile group that ends past T (T is even, not always a multiple of 4).
  const Hp = max(2 * tH + 2, H + ph);
  const Wp = (max(2 * tW + 2, W + pw) + 3) & ~3;
  const plane = <usize>Hp * Wp;
  const Hq = 2 * tH + 2, Wq = 2 * tW;
  const qplane = <usize>Hq * Wq;
  // Tiles per block (the GEMM depth): the 16 positions' A and B panels, 16 (Og + Cg) TB floats, stay in L2
  // for up to 64 + 64 channels; for more, depth matters more (each block reads and writes the accumulator).
  let TB = (8192 / (Cg + Og)) & ~3;
  if (TB < 64) TB = 64;
  if (TB > 256) TB = 256;
  if (TB > T) TB = (T + 3) & ~3;
  const Cp = (Cg + NR - 1) & ~(NR - 1), Op = (Og + MR - 1) & ~(MR - 1);
  // Position strides get a 256-byte skew so that the 16 streams do not map to the same L1 sets.
  const bxs = <usize>Cp * TB * 4 + 256, axs = <usize>Op * TB * 4 + 256;
  const bp = scratch(1, <usize>16 * bxs);
  const ap = scratch(2, <usize>16 * axs);
  // dU: position ξ at du + ξ*dxs, row o at + o*Cq*4 (Cq = Cg rounded up to 4, the extra columns stay zero).
  const Cq = (Cg + 3) & ~3;
  const dxs = <usize>Og * Cq * 4;
  const du = scratch(0, 16 * dxs);
  const xp = scratch(3, (<usize>Cg * plane + <usize>Og * qplane) << 2);
  const yp = xp + (<usize>Cg * plane << 2);
  const rs = <usize>Wp << 2, qrs = <usize>Wq << 2;
  for (let g = 0; g < G; g++) {
    memory.fill(du, 0, 16 * dxs);
    for (let n = 0; n < N; n++) {
      pad_planes(xp, x + ((<usize>(n * C + g * Cg) * HW) << 2), Cg, H, W, Hp, Wp, ph, pw);
      pad_planes(yp, gy + ((<usize>(n * O + g * Og) * P) << 2), Og, OH, OW, Hq, Wq, 0, 0);
      for (let t0 = 0; t0 < T; t0 += TB) {
        const kc = min(TB, (T - t0 + 3) & ~3); // a multiple of 4; tiles past T have dY = 0
        const bps = <usize>kc * (NR * 4), aps = <usize>kc * (MR * 4);
        for (let t = 0; t < kc; t += 4) {
          const tA = t0 + t;
          // x patches (a phantom pair re-reads the last real pair: finite, and multiplied by dY = 0).
          const pa = xp + tile_offset(tA, tW, rs, 2), pb = xp + tile_offset(min(tA + 2, T - 2), tW, rs, 2);
          for (let c = 0; c < Cg; c += 4) {
            // Channels past Cg repeat the last one: their panel columns are never written back.
            for (let k = 0; k < 4; k++) {
              const co = (<usize>min(c + k, Cg - 1) * plane) << 2;
              input_tiles4(TMP + (<usize>k << 4), 64, pa + co, pb + co, rs);
            }
            tmp_to_panels(bp + <usize>(c / NR) * bps + (<usize>t << 5) + (<usize>(c & (NR - 1)) << 2), bxs, NR * 4);
          }
          // gy blocks of the same tiles.
          const qa = yp + tile_offset(tA, tW, qrs, 2), qb = yp + tile_offset(tA + 2, tW, qrs, 2);
          for (let o = 0; o < Og; o += 4) {
            for (let k = 0; k < 4; k++) {
              const oo = (<usize>min(o + k, Og - 1) * qplane) << 2;
              grad_tiles4(TMP + (<usize>k << 4), 64, qa + oo, qb + oo, qrs);
            }
            tmp_to_panels(ap + <usize>(o / MR) * aps + (<usize>t << 4), axs, MR * 4);
          }
        }
        for (let xi = 0; xi < 16; xi++) {
          gemm_packed(ap + <usize>xi * axs, aps, bp + <usize>xi * bxs, Og, Cg, kc, du + <usize>xi * dxs, <usize>Cq << 2, true);
        }
      }
    }
    const gwg = gw + ((<usize>g * Og * Cg * 9) << 2);
    for (let o = 0; o < Og; o++) {
      for (let c = 0; c < Cg; c += 4) {
        back_transform4(gwg + ((<usize>(o * Cg + c) * 9) << 2), du + ((<usize>o * Cq + c) << 2), dxs, min(4, Cg - c));
      }
    }
  }
}
