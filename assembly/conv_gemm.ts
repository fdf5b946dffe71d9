// The f32x4 GEMM engine shared by matmul and every convolution pass (internal: not re-exported by index.ts).
//
// C (m x n) (+)= A (m x k) @ B (k x n), computed on packed operands:
//   - A is packed in panels of MR = 4 rows: panel i holds, for each k, the 4 values A[4i..4i+3][k] (16 bytes);
//   - B is packed in panels of NR = 8 columns: panel j holds, for each k, the 8 values B[k][8j..8j+7] (32 bytes).
// Panels are zero-padded past the matrix edge, so the microkernel always computes a full 4 x 8 tile; edge tiles
// go through a small static tile and only their valid part is written back.
//
// The microkernel keeps the 4 x 8 tile in eight f32x4 accumulators. Per k it loads the two B vectors, splats
// four A values straight from memory (v128.load32_splat) and does 8 multiply-adds (madd below): a multiply
// and an add in the simd build, f32x4.relaxed_madd in the relaxed build (which the engine may fuse into one
// FMA, changing results in the last bits; the loader only picks that build where it validates).
//
// Packing helpers take a source pointer and a byte stride, so the same two routines serve row-major and
// transposed operands, as well as im2col lines prepared by the convolution code.

export const MR = 4;
export const NR = 8;
/** Rows of A per cache block (A block = MC x KC floats stays in L2). */
export const MC = 128;
/** Depth per cache block. */
export const KC = 256;

/**
 * a * b + c. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so the simd and scalar builds keep the plain
 * multiply + add and only the relaxed build (asconfig target "relaxed") emits f32x4.relaxed_madd.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b)); // operand order as before: the simd build stays byte-identical
}

// Static 4 x 8 tile for edge tiles (128 bytes, 16-byte aligned).
const EDGE_TILE: usize = memory.data(MR * NR * 4, 16);

/**
 * Full 4 x 8 tile: C[r][0..8] = (acc ? C[r][0..8] : 0) + sum_k A[r][k] * B[k][0..8].
 * ap: packed A panel (kc x 4), bp: packed B panel (kc x 8), c: tile origin, ldc: row stride in bytes.
 */
// @ts-ignore: decorator
@inline
function micro_4x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, acc: bool, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Four k steps per iteration, each in its own basic block: V8 hoists all loads of a block to its top, and
  // one step's 6 loads + 8 accumulators + 1 product fill the 15 allocatable xmm registers exactly, so steps
  // sharing a block would spill. The exits between steps (which also handle kc % 4) are what separate the
  // blocks; they compare bp with precomputed limits, so each costs one fused compare-and-branch. The A offsets
  // stay 0..12 (ap advances per step) because V8 keeps one base register per distinct splat offset.
  // (e2, e3 may wrap below 0 when kc < 3, but the loop leaves at e1 / e2 before consulting them.)
  const bend = bp + <usize>kc * (NR * 4);
  const e1 = bend - NR * 4, e2 = bend - 2 * NR * 4, e3 = bend - 3 * NR * 4;
  let b0: v128, b1: v128, a: v128;
  while (true) {
    b0 = v128.load(bp, 0);
    b1 = v128.load(bp, 16);
    a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    if (bp >= e1) break;
    b0 = v128.load(bp, 32);
    b1 = v128.load(bp, 48);
    a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    if (bp >= e2) break;
    b0 = v128.load(bp, 64);
    b1 = v128.load(bp, 80);
    a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    if (bp >= e3) break;
    b0 = v128.load(bp, 96);
    b1 = v128.load(bp, 112);
    a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    bp += 4 * NR * 4;
    if (bp >= bend) break;
  }
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  if (acc) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c20 = f32x4.add(v128.load(c2), c20);
    c21 = f32x4.add(v128.load(c2, 16), c21);
    c30 = f32x4.add(v128.load(c3), c30);
    c31 = f32x4.add(v128.load(c3, 16), c31);
  } else if (bias) {
    // bias[r] + sum: the value (and rounding) of accumulating onto a C prefilled with the bias.
    a = v128.load32_splat(bias);
    c00 = f32x4.add(a, c00);
    c01 = f32x4.add(a, c01);
    a = v128.load32_splat(bias, 4);
    c10 = f32x4.add(a, c10);
    c11 = f32x4.add(a, c11);
    a = v128.load32_splat(bias, 8);
    c20 = f32x4.add(a, c20);
    c21 = f32x4.add(a, c21);
    a = v128.load32_splat(bias, 12);
    c30 = f32x4.add(a, c30);
    c31 = f32x4.add(a, c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/** Edge tile (mr < 4 or nr < 8): computes the full tile into EDGE_TILE, then writes back the valid part. */
function edge_tile(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, mr: i32, nr: i32, acc: bool, bias: usize): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  micro_4x8(ap, bp, kc, EDGE_TILE, NR * 4, false, 0);
  for (let r = 0; r < mr; r++) {
    const src = EDGE_TILE + <usize>(r * NR * 4);
    const dst = c + <usize>r * ldc;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(src + o);
      if (acc) v = load<f32>(dst + o) + v;
      else if (bias) v = load<f32>(bias + (<usize>r << 2)) + v;
      store<f32>(dst + o, v);
    }
  }
}

/**
 * C (m x n) (+)= A @ B on packed operands, one cache block.
 *   ap:  packed A, panel i at ap + i * aps (bytes); each panel is kc x 4
 *   bp:  packed B, panel j at bp + j * kc * 32; each panel is kc x 8
 *   c:   (m, n) with row stride ldc bytes;  acc: add to C (true) or overwrite it (false)
 *   bias: 0, or (m) values added to the rows when C is overwritten (one pass over C less than prefilling it)
 * Loops over column panels outside (the B panel stays in L1) and row panels inside (A streams from L2),
 * in MC-row chunks so that the part of A being swept fits in L2.
 */
export function gemm_packed(ap: usize, aps: usize, bp: usize, m: i32, n: i32, kc: i32, c: usize, ldc: usize, acc: bool, bias: usize = 0): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const bps = <usize>kc * (NR * 4);
  const npan = (n + NR - 1) / NR;
  for (let i0 = 0; i0 < m; i0 += MC) {
    const i1 = min(m, i0 + MC);
    for (let jp = 0; jp < npan; jp++) {
      const j = jp * NR;
      const nr = min(NR, n - j);
      const bpj = bp + <usize>jp * bps;
      for (let i = i0; i < i1; i += MR) {
        const mr = min(MR, m - i);
        const api = ap + <usize>(i / MR) * aps;
        const cij = c + <usize>i * ldc + (<usize>j << 2);
        const bi = bias ? bias + (<usize>i << 2) : 0;
        if (mr == MR && nr == NR) micro_4x8(api, bpj, kc, cij, ldc, acc, bi);
        else edge_tile(api, bpj, kc, cij, ldc, mr, nr, acc, bi);
      }
    }
  }
}

/**
 * Packs one panel by copying rows: dst[k][0..w) = src[k*lds .. +cols), zero-padded to w (4 or 8).
 * Used for A stored transposed (w = 4) and B stored row-major (w = 8).
 *   dst: (kc, w) packed;  src: (kc, >= cols) with row stride lds bytes
 */
export function pack_copy(dst: usize, src: usize, lds: usize, cols: i32, w: i32, kc: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const dw = <usize>w << 2;
  if (cols == w) {
    if (w == 8) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += dw;
        src += lds;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        dst += dw;
        src += lds;
      }
    }
    return;
  }
  for (let k = 0; k < kc; k++) {
    let j = 0;
    for (; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    for (; j < w; j++) store<f32>(dst + (<usize>j << 2), 0);
    dst += dw;
    src += lds;
  }
}

/** 4 x 4 transpose of the rows r0..r3, stored as 4 vectors at dst, dst + ds, dst + 2ds, dst + 3ds. */
// @ts-ignore: decorator
@inline
export function transpose4_store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, ds: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ds, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ds, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ds, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs one panel by transposing: dst[k][r] = src[r*lds + k] for r < rows, 0 for rows <= r < w (4 or 8).
 * Used for A stored row-major (w = 4) and B stored transposed (w = 8).
 *   dst: (kc, w) packed;  src: (rows, >= kc) with row stride lds bytes
 */
export function pack_transpose(dst: usize, src: usize, lds: usize, rows: i32, w: i32, kc: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const dw = <usize>w << 2;
  let k = 0;
  if (rows == w) {
    const s1 = src + lds, s2 = s1 + lds, s3 = s2 + lds;
    if (w == 8) {
      const s4 = s3 + lds, s5 = s4 + lds, s6 = s5 + lds, s7 = s6 + lds;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        const d = dst + <usize>k * dw;
        transpose4_store(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), d, dw);
        transpose4_store(v128.load(s4 + o), v128.load(s5 + o), v128.load(s6 + o), v128.load(s7 + o), d + 16, dw);
      }
    } else {
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        transpose4_store(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), dst + <usize>k * dw, dw);
      }
    }
  }
  for (; k < kc; k++) {
    const d = dst + <usize>k * dw;
    const s = src + (<usize>k << 2);
    let r = 0;
    for (; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * lds));
    for (; r < w; r++) store<f32>(d + (<usize>r << 2), 0);
  }
}
