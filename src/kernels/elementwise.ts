// Typed wrappers for assembly/elementwise.ts, unary.ts and reduce.ts: the only place that knows their
// argument order. Pointers are byte offsets into linear memory.
import { kernel } from "../wasm.js";

export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4 } as const;
export type BinaryOpName = keyof typeof BinaryOp;
export const UnaryOp = { neg: 0, abs: 1, exp: 2, log: 3, relu: 4, sigmoid: 5, tanh: 6, sqrt: 7 } as const;
export type UnaryOpName = keyof typeof UnaryOp;
export const ScalarOp = { add: 0, mul: 1, rsub: 2, rdiv: 3, pow: 4, div: 5 } as const;
export type ScalarOpName = keyof typeof ScalarOp;

/** A loop nest of four dimensions with element strides (0 = broadcast); see assembly/elementwise.ts. */
export interface Loop4 {
  n: [number, number, number, number];
  sa: [number, number, number, number];
  sb: [number, number, number, number];
}

export function binaryFwd(out: number, a: number, b: number, op: BinaryOpName, l: Loop4): void {
  kernel("binary_fwd")(out, a, b, BinaryOp[op], ...l.n, ...l.sa, ...l.sb);
}

export function stridedCopy(out: number, a: number, accumulate: boolean, n: number[], s: number[]): void {
  kernel("strided_copy")(out, a, accumulate ? 1 : 0, n[0], n[1], n[2], n[3], s[0], s[1], s[2], s[3]);
}

export function unaryFwd(out: number, a: number, n: number, op: UnaryOpName): void {
  kernel("unary_fwd")(out, a, n, UnaryOp[op]);
}

export function unaryBwd(ga: number, gout: number, a: number, y: number, n: number, op: UnaryOpName): void {
  kernel("unary_bwd")(ga, gout, a, y, n, UnaryOp[op]);
}

export function scalarFwd(out: number, a: number, n: number, op: ScalarOpName, s: number): void {
  kernel("scalar_fwd")(out, a, n, ScalarOp[op], s);
}

export function powBwd(ga: number, gout: number, a: number, n: number, s: number): void {
  kernel("pow_bwd")(ga, gout, a, n, s);
}

export function sumFwd(out: number, a: number, outer: number, r: number, inner: number): void {
  kernel("sum_fwd")(out, a, outer, r, inner);
}

export function maxAllFwd(out: number, a: number, n: number): void {
  kernel("max_all_fwd")(out, a, n);
}

export function maxAllBwd(ga: number, gout: number, a: number, n: number, m: number): void {
  kernel("max_all_bwd")(ga, gout, a, n, m);
}

export function gatherFwd(out: number, a: number, idx: number, n: number): void {
  kernel("gather_fwd")(out, a, idx, n);
}

export function gatherBwd(ga: number, gout: number, idx: number, n: number): void {
  kernel("gather_bwd")(ga, gout, idx, n);
}

export function i32ToF32(out: number, a: number, n: number): void {
  kernel("i32_to_f32")(out, a, n);
}

export function f32ToI32(out: number, a: number, n: number): void {
  kernel("f32_to_i32")(out, a, n);
}
