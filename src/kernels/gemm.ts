// Typed wrapper over the matmul kernel (assembly/gemm.ts): the only place that knows its argument order.
//
// Pointers are byte offsets into wasm linear memory; matrices are row-major f32.
import { kernel } from "../wasm.js";

/**
 * c (M,N) = beta*c + op(a) @ op(b). a is (M,K) row-major, or (K,M) when transA; b is (K,N), or (N,K) when
 * transB. beta = 0 overwrites c without reading it (c may hold garbage or NaN); beta = 1 accumulates.
 */
export function matmulFwd(
  c: number, a: number, b: number, M: number, K: number, N: number,
  transA: boolean | number, transB: boolean | number, beta: number,
): void {
  kernel("matmul_fwd")(c, a, b, M, K, N, transA ? 1 : 0, transB ? 1 : 0, beta);
}
