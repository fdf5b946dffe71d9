// Indirect GEMM: the 4x8 microkernel of conv_gemm.ts with its B rows fetched through an offset table instead
// of a packed panel (internal: used by conv_batched.ts).
//
// Row k of the B "panel" of output position p is the 32 bytes at base_p + tab[k]: for the batched forward
// convolution, the 8 images' values of input pixel (c, oh*sh + u*dh, ow*sw + v*dw), k = (c, u, v), in the
// lane-interleaved input copy. Reading them in place replaces the copy of kc x 32 bytes per position that
// packing would cost by one i32 load and one add per k step (measured 4-9% faster on LeNet's layers).
// The loop has the shape of micro_4x8 (four k steps per iteration, each in its own basic block so that V8
// does not hoist the loads of several steps and spill; see conv_gemm.ts).
import { MR, NR, madd } from "./conv_gemm";

const EDGE_TILE: usize = memory.data(MR * NR * 4, 16);

/**
 * C[r][0..8] = (acc ? C : 0) + sum_k A[r][k] * B[k][0..8], B[k] at base + tab[k] (bytes), r < 4.
 *   ap: packed A panel (kc x 4)   tab: kc i32 offsets   c: tile origin, row stride ldc bytes
 */
// @ts-ignore: decorator
@inline
function micro_4x8_ind(ap: usize, base: usize, tab: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const tend = tab + (<usize>kc << 2);
  const e1 = tend - 4, e2 = tend - 8, e3 = tend - 12;
  let t = tab;
  let s: usize, b0: v128, b1: v128, a: v128;
  while (true) {
    s = base + <usize>load<i32>(t);
    b0 = v128.load(s);
    b1 = v128.load(s, 16);
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
    if (t >= e1) break;
    s = base + <usize>load<i32>(t, 4);
    b0 = v128.load(s);
    b1 = v128.load(s, 16);
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
    if (t >= e2) break;
    s = base + <usize>load<i32>(t, 8);
    b0 = v128.load(s);
    b1 = v128.load(s, 16);
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
    if (t >= e3) break;
    s = base + <usize>load<i32>(t, 12);
    b0 = v128.load(s);
    b1 = v128.load(s, 16);
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
    t += 16;
    if (t >= tend) break;
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

/**
 * C (m x 8) (+)= A @ B for one output position, whose B row k is the 8 floats at base + tab[k].
 *   ap: packed A, panel i at ap + i*aps (kc x 4 each)   c: (m, 8) with row stride ldc bytes
 */
export function gemm_indirect(ap: usize, aps: usize, base: usize, tab: usize, m: i32, kc: i32, c: usize, ldc: usize, acc: bool): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  for (let i = 0; i < m; i += MR) {
    const api = ap + <usize>(i / MR) * aps;
    const mr = min(MR, m - i);
    if (mr == MR) {
      micro_4x8_ind(api, base, tab, kc, c + <usize>i * ldc, ldc, acc);
      continue;
    }
    micro_4x8_ind(api, base, tab, kc, EDGE_TILE, NR * 4, false);
    for (let r = 0; r < mr; r++) {
      const src = EDGE_TILE + <usize>(r * NR * 4);
      const dst = c + <usize>(i + r) * ldc;
      for (let j = 0; j < NR; j++) {
        const o = <usize>j << 2;
        let v = load<f32>(src + o);
        if (acc) v = load<f32>(dst + o) + v;
        store<f32>(dst + o, v);
      }
    }
  }
}

/**
 * One row of C for four consecutive output positions: C[q*8 .. q*8+8) (+)= sum_k a[k] * B_q[k], q < 4,
 * where B_q row k is the 8 floats at base + q*32 + tab[k] (positions one pixel apart: stride 1). For the
 * rows left over after the 4-row panels (one output channel: LeNet conv1's input gradient), where the 4x8
 * tile would compute 3 rows of zeros. The caller makes the 3 pixels after each position's last tap readable.
 *   a: kc floats (one weight row, in tap order)   tab: kc i32 offsets   c: 32 floats
 */
export function row_indirect_1x4(a: usize, base: usize, tab: usize, kc: i32, c: usize, acc: bool): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  let p0l = f32x4.splat(0), p0h = f32x4.splat(0), p1l = f32x4.splat(0), p1h = f32x4.splat(0);
  let p2l = f32x4.splat(0), p2h = f32x4.splat(0), p3l = f32x4.splat(0), p3h = f32x4.splat(0);
  const tend = tab + (<usize>kc << 2);
  for (let t = tab; t < tend; t += 4) {
    const s = base + <usize>load<i32>(t);
    const w = v128.load32_splat(a);
    p0l = madd(w, v128.load(s), p0l);
    p0h = madd(w, v128.load(s, 16), p0h);
    p1l = madd(w, v128.load(s, 32), p1l);
    p1h = madd(w, v128.load(s, 48), p1h);
    p2l = madd(w, v128.load(s, 64), p2l);
    p2h = madd(w, v128.load(s, 80), p2h);
    p3l = madd(w, v128.load(s, 96), p3l);
    p3h = madd(w, v128.load(s, 112), p3h);
    a += 4;
  }
  if (acc) {
    p0l = f32x4.add(v128.load(c), p0l);
    p0h = f32x4.add(v128.load(c, 16), p0h);
    p1l = f32x4.add(v128.load(c, 32), p1l);
    p1h = f32x4.add(v128.load(c, 48), p1h);
    p2l = f32x4.add(v128.load(c, 64), p2l);
    p2h = f32x4.add(v128.load(c, 80), p2h);
    p3l = f32x4.add(v128.load(c, 96), p3l);
    p3h = f32x4.add(v128.load(c, 112), p3h);
  }
  v128.store(c, p0l);
  v128.store(c, p0h, 16);
  v128.store(c, p1l, 32);
  v128.store(c, p1h, 48);
  v128.store(c, p2l, 64);
  v128.store(c, p2h, 80);
  v128.store(c, p3l, 96);
  v128.store(c, p3h, 112);
}

/**
 * C (m x np positions x 8) (+)= A @ B for np output positions of one output row, position j's B row k at
 * base + j*step + tab[k]: the 4x8 tile per position for rows in 4-row panels, and with stride 1 (step = 32)
 * for the m % 4 rows after them (no zero rows computed) a 2-row x 2-position tile for two of them and the
 * one-row tile over 4 positions for a last single row. Those tiles
 * compute up to 3 positions past np: the caller gives C room for ceil(np/4)*4 positions and makes the 3
 * pixels after the last one readable.
 *   ap: packed A (all ceil(m/4) panels when step != 32), panel i at ap + i*aps (kc x 4 each)
 *   arow: A row-major (m rows of lda bytes, at the same k offset as ap)   c: (m, np, 8) with row stride ldc bytes
 */
export function gemm_indirect_row(ap: usize, aps: usize, arow: usize, lda: usize, base: usize, step: usize, tab: usize,
  m: i32, kc: i32, np: i32, c: usize, ldc: usize, acc: bool, runs: i32 = 0): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (runs > 0) {
    // Taps in runs of KW pixels: 2-row x 4-position sliding tiles for all row pairs, a one-row one for an odd row.
    let r = 0;
    for (; r + 2 <= m; r += 2) {
      const ar = arow + <usize>r * lda, cr = c + <usize>r * ldc;
      for (let j = 0; j < np; j += 4) rows_indirect_2x4_runs(ar, lda, base + (<usize>j << 5), tab, kc, runs, cr + (<usize>j << 5), ldc, acc);
    }
    if (r < m) {
      const ar = arow + <usize>r * lda, cr = c + <usize>r * ldc;
      for (let j = 0; j < np; j += 4) row_indirect_1x4_runs(ar, base + (<usize>j << 5), tab, kc, runs, cr + (<usize>j << 5), acc);
    }
    return;
  }
  const m4 = step == 32 ? m & ~(MR - 1) : m;
  if (m4 > 0) {
    for (let j = 0; j < np; j++) gemm_indirect(ap, aps, base + <usize>j * step, tab, m4, kc, c + (<usize>j << 5), ldc, acc);
  }
  let r = m4;
  if (m - r >= 2) {
    // Two rows: 2 x 2 tiles (6 loads per 8 madds, as the 4x8 tile; the one-row tile needs 9).
    const ar = arow + <usize>r * lda, cr = c + <usize>r * ldc;
    for (let j = 0; j < np; j += 2) rows_indirect_2x2(ar, lda, base + (<usize>j << 5), tab, kc, cr + (<usize>j << 5), ldc, acc);
    r += 2;
  }
  for (; r < m; r++) {
    const ar = arow + <usize>r * lda, cr = c + <usize>r * ldc;
    for (let j = 0; j < np; j += 4) row_indirect_1x4(ar, base + (<usize>j << 5), tab, kc, cr + (<usize>j << 5), acc);
  }
}

/**
 * Two rows (weights a and a + lda) of row_indirect_1x4_runs: per tap 1 pixel load and 2 weight splats for 8
 * multiply-adds (the 4x8 tile needs 2 loads and 4 splats).
 */
function rows_indirect_2x4_runs(a: usize, lda: usize, base: usize, tab: usize, kc: i32, KW: i32, c: usize, ldc: usize, acc: bool): void {
  const tend = tab + (<usize>kc << 2);
  const runBytes = <usize>KW << 2;
  const c1 = c + ldc;
  for (let h: usize = 0; h < 32; h += 16) {
    let q0 = f32x4.splat(0), q1 = f32x4.splat(0), q2 = f32x4.splat(0), q3 = f32x4.splat(0);
    let r0 = f32x4.splat(0), r1 = f32x4.splat(0), r2 = f32x4.splat(0), r3 = f32x4.splat(0);
    let ar = a;
    for (let t = tab; t < tend; t += runBytes) {
      let s = base + <usize>load<i32>(t) + h;
      let p0 = v128.load(s), p1 = v128.load(s, 32), p2 = v128.load(s, 64);
      const ae = ar + runBytes;
      for (; ar < ae; ar += 4) {
        const p3 = v128.load(s, 96);
        let w = v128.load32_splat(ar);
        q0 = madd(w, p0, q0); q1 = madd(w, p1, q1); q2 = madd(w, p2, q2); q3 = madd(w, p3, q3);
        w = v128.load32_splat(ar + lda);
        r0 = madd(w, p0, r0); r1 = madd(w, p1, r1); r2 = madd(w, p2, r2); r3 = madd(w, p3, r3);
        p0 = p1; p1 = p2; p2 = p3;
        s += 32;
      }
    }
    const ch = c + h, dh = c1 + h;
    if (acc) {
      q0 = f32x4.add(v128.load(ch), q0); q1 = f32x4.add(v128.load(ch, 32), q1);
      q2 = f32x4.add(v128.load(ch, 64), q2); q3 = f32x4.add(v128.load(ch, 96), q3);
      r0 = f32x4.add(v128.load(dh), r0); r1 = f32x4.add(v128.load(dh, 32), r1);
      r2 = f32x4.add(v128.load(dh, 64), r2); r3 = f32x4.add(v128.load(dh, 96), r3);
    }
    v128.store(ch, q0); v128.store(ch, q1, 32); v128.store(ch, q2, 64); v128.store(ch, q3, 96);
    v128.store(dh, r0); v128.store(dh, r1, 32); v128.store(dh, r2, 64); v128.store(dh, r3, 96);
  }
}

/**
 * row_indirect_1x4 for taps in runs of KW consecutive pixels (a kernel row at dilation 1; kc a multiple of
 * KW): the 4 positions' windows overlap, so each run's KW + 3 pixels are loaded once and slid along instead
 * of loading 4 * KW (one f32x4 half of the 8 lanes at a time, to keep the 4 pixels and 4 sums in registers).
 * Same products, same order over k as row_indirect_1x4.
 */
function row_indirect_1x4_runs(a: usize, base: usize, tab: usize, kc: i32, KW: i32, c: usize, acc: bool): void {
  const tend = tab + (<usize>kc << 2);
  const runBytes = <usize>KW << 2;
  for (let h: usize = 0; h < 32; h += 16) {
    let q0 = f32x4.splat(0), q1 = f32x4.splat(0), q2 = f32x4.splat(0), q3 = f32x4.splat(0);
    let ar = a;
    for (let t = tab; t < tend; t += runBytes) {
      let s = base + <usize>load<i32>(t) + h;
      let p0 = v128.load(s), p1 = v128.load(s, 32), p2 = v128.load(s, 64);
      const ae = ar + runBytes;
      for (; ar < ae; ar += 4) {
        const p3 = v128.load(s, 96);
        const w = v128.load32_splat(ar);
        q0 = madd(w, p0, q0); q1 = madd(w, p1, q1); q2 = madd(w, p2, q2); q3 = madd(w, p3, q3);
        p0 = p1; p1 = p2; p2 = p3;
        s += 32;
      }
    }
    const ch = c + h;
    if (acc) {
      q0 = f32x4.add(v128.load(ch), q0); q1 = f32x4.add(v128.load(ch, 32), q1);
      q2 = f32x4.add(v128.load(ch, 64), q2); q3 = f32x4.add(v128.load(ch, 96), q3);
    }
    v128.store(ch, q0); v128.store(ch, q1, 32); v128.store(ch, q2, 64); v128.store(ch, q3, 96);
  }
}

/**
 * Two rows of C for two consecutive output positions (stride 1): C[i][q*8 .. q*8+8) (+)= sum_k a_i[k] *
 * B_q[k], i, q < 2, B_q row k at base + q*32 + tab[k]; a_1 = a_0 + lda bytes. Writes 2 positions per row.
 */
function rows_indirect_2x2(a: usize, lda: usize, base: usize, tab: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00l = f32x4.splat(0), c00h = f32x4.splat(0), c01l = f32x4.splat(0), c01h = f32x4.splat(0);
  let c10l = f32x4.splat(0), c10h = f32x4.splat(0), c11l = f32x4.splat(0), c11h = f32x4.splat(0);
  const a1 = a + lda;
  const tend = tab + (<usize>kc << 2);
  let ko: usize = 0;
  for (let t = tab; t < tend; t += 4) {
    const s = base + <usize>load<i32>(t);
    const b0l = v128.load(s), b0h = v128.load(s, 16), b1l = v128.load(s, 32), b1h = v128.load(s, 48);
    let w = v128.load32_splat(a + ko);
    c00l = madd(w, b0l, c00l); c00h = madd(w, b0h, c00h);
    c01l = madd(w, b1l, c01l); c01h = madd(w, b1h, c01h);
    w = v128.load32_splat(a1 + ko);
    c10l = madd(w, b0l, c10l); c10h = madd(w, b0h, c10h);
    c11l = madd(w, b1l, c11l); c11h = madd(w, b1h, c11h);
    ko += 4;
  }
  const c1 = c + ldc;
  if (acc) {
    c00l = f32x4.add(v128.load(c), c00l); c00h = f32x4.add(v128.load(c, 16), c00h);
    c01l = f32x4.add(v128.load(c, 32), c01l); c01h = f32x4.add(v128.load(c, 48), c01h);
    c10l = f32x4.add(v128.load(c1), c10l); c10h = f32x4.add(v128.load(c1, 16), c10h);
    c11l = f32x4.add(v128.load(c1, 32), c11l); c11h = f32x4.add(v128.load(c1, 48), c11h);
  }
  v128.store(c, c00l); v128.store(c, c00h, 16); v128.store(c, c01l, 32); v128.store(c, c01h, 48);
  v128.store(c1, c10l); v128.store(c1, c10h, 16); v128.store(c1, c11l, 32); v128.store(c1, c11h, 48);
}

/**
 * The transposed indirect tile: the 4x8 product of a packed A panel (kc x 4) and B (kc rows of 8 floats,
 * bs bytes apart) is ADDED to C rows r < rows at dst + tab[r] (bytes), instead of being stored in a C block:
 * for the input gradient, tap r's 8 image lanes land on the input pixel it came from (overlapping windows
 * sum there). Rows past `rows` (the zero-padded rows of A's last panel) are not written.
 */
export function scatter_indirect_4x8(ap: usize, b: usize, bs: usize, kc: i32, dst: usize, tab: usize, rows: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const aend = ap + (<usize>kc << 4);
  while (ap < aend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let a = v128.load32_splat(ap);
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
    b += bs;
  }
  let d = dst + <usize>load<i32>(tab);
  v128.store(d, f32x4.add(v128.load(d), c00));
  v128.store(d, f32x4.add(v128.load(d, 16), c01), 16);
  if (rows < 2) return;
  d = dst + <usize>load<i32>(tab, 4);
  v128.store(d, f32x4.add(v128.load(d), c10));
  v128.store(d, f32x4.add(v128.load(d, 16), c11), 16);
  if (rows < 3) return;
  d = dst + <usize>load<i32>(tab, 8);
  v128.store(d, f32x4.add(v128.load(d), c20));
  v128.store(d, f32x4.add(v128.load(d, 16), c21), 16);
  if (rows < 4) return;
  d = dst + <usize>load<i32>(tab, 12);
  v128.store(d, f32x4.add(v128.load(d), c30));
  v128.store(d, f32x4.add(v128.load(d, 16), c31), 16);
}
