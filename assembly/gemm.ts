// matmul: C = beta*C + op(A) @ op(B), the kernel behind Linear layers and the GEMM test surface.
//
// The f32x4 twin runs the packed, cache-blocked GEMM of conv_gemm.ts (Goto-style loops: column blocks of B
// of NC columns, depth blocks of KC, row blocks of MC, then the 4 x 8 microkernel). The scalar twin is a
// plain dot-product loop.
import { scratch } from "./memory";
import { gemm_packed, pack_copy, pack_transpose, MR, NR, MC, KC } from "./conv_gemm";

/** Columns of B per cache block (the packed KC x NC block of B lives in L2/L3). */
const NC: i32 = 1024;

/** Scales (or, for beta = 0, zeroes: C may hold NaN then) C before accumulating into it. */
function prepare_c(c: usize, n: i32, beta: f32): void {
  if (beta == 1) return;
  for (let i = 0; i < n; i++) {
    const p = c + (<usize>i << 2);
    store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
  }
}

/**
 * c (M, N) = beta * c + op(a) @ op(b). beta = 0 overwrites c (never reads it); any other beta scales it.
 * a: (M, K), or (K, M) when transA != 0;  b: (K, N), or (N, K) when transB != 0.
 */
export function matmul_fwd_f32x4(
  c: usize, // (M, N)
  a: usize, // (M, K) or (K, M) if transA
  b: usize, // (K, N) or (N, K) if transB
  M: i32, K: i32, N: i32, transA: i32, transB: i32, beta: f32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || (beta != 0 && beta != 1)) {
    prepare_c(c, M * N, beta);
    if (K <= 0) return;
    beta = 1;
  }
  const ldc = <usize>N << 2;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    const npan = (nc + NR - 1) / NR;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      const bps = <usize>kc * (NR * 4);
      const bp = scratch(1, <usize>npan * bps);
      for (let jp = 0; jp < npan; jp++) {
        const j = j0 + jp * NR;
        const cols = min(NR, N - j);
        if (transB) pack_transpose(bp + <usize>jp * bps, b + ((<usize>j * K + k0) << 2), <usize>K << 2, cols, NR, kc);
        else pack_copy(bp + <usize>jp * bps, b + ((<usize>k0 * N + j) << 2), <usize>N << 2, cols, NR, kc);
      }
      const aps = <usize>kc * (MR * 4);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        const mpan = (mc + MR - 1) / MR;
        const ap = scratch(0, <usize>mpan * aps);
        for (let ip = 0; ip < mpan; ip++) {
          const i = i0 + ip * MR;
          const rows = min(MR, M - i);
          if (transA) pack_copy(ap + <usize>ip * aps, a + ((<usize>k0 * M + i) << 2), <usize>M << 2, rows, MR, kc);
          else pack_transpose(ap + <usize>ip * aps, a + ((<usize>i * K + k0) << 2), <usize>K << 2, rows, MR, kc);
        }
        gemm_packed(ap, aps, bp, mc, nc, kc, c + ((<usize>i0 * N + j0) << 2), ldc, k0 > 0 || beta != 0);
      }
    }
  }
}

/** Scalar twin of matmul_fwd_f32x4 (same signature and semantics): one dot product per output. */
export function matmul_fwd_scalar(
  c: usize, // (M, N)
  a: usize, // (M, K) or (K, M) if transA
  b: usize, // (K, N) or (N, K) if transB
  M: i32, K: i32, N: i32, transA: i32, transB: i32, beta: f32,
): void {
  // Element strides (in floats) of op(a) along i and k, and of op(b) along k and j.
  const ai: usize = transA ? 1 : <usize>K, ak: usize = transA ? <usize>M : 1;
  const bk: usize = transB ? 1 : <usize>N, bj: usize = transB ? <usize>K : 1;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = 0;
      let pa = a + ((<usize>i * ai) << 2);
      let pb = b + ((<usize>j * bj) << 2);
      for (let k = 0; k < K; k++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += ak << 2;
        pb += bk << 2;
      }
      const pc = c + ((<usize>i * N + j) << 2);
      store<f32>(pc, beta == 0 ? s : beta * load<f32>(pc) + s);
    }
  }
}
