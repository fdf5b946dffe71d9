// Broadcasting and strided loops, resolved into the four-dimensional loop nests the kernels take.
import { fmtShape, fail } from "./errors.js";
import type { Loop4 } from "./kernels/elementwise.js";

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (!(da === db || da === 1 || db === 1)) fail(op, `the shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i} is ${da} vs ${db})`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of a contiguous `shape` read as `outShape` (0 on broadcast dimensions). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : own[i - off]));
}

/**
 * Merges adjacent dimensions that every operand walks contiguously, then yields loop nests of at most four
 * dimensions: `visit(outOffset, operandOffsets, loop)` once per nest (several when more than four remain).
 */
export function forEachLoop(
  outShape: readonly number[],
  strides: number[][],
  visit: (outOffset: number, offsets: number[], n: number[], s: number[][]) => void,
): void {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => st[k][last] === s[i] * outShape[i]);
    if (mergeable) {
      dims[last] *= outShape[i];
      strides.forEach((s, k) => (st[k][last] = s[i]));
    } else {
      dims.push(outShape[i]);
      strides.forEach((s, k) => st[k].push(s[i]));
    }
  }
  while (dims.length < 4) {
    dims.unshift(1);
    st.forEach((s) => s.unshift(0));
  }
  const outer = dims.length - 4;
  const outerDims = dims.slice(0, outer);
  const n = dims.slice(outer);
  const s = st.map((x) => x.slice(outer));
  const block = numelOf(n);
  const idx = new Array<number>(outer).fill(0);
  const total = numelOf(outerDims);
  for (let b = 0; b < total; b++) {
    const offsets = st.map((x) => idx.reduce((acc, v, k) => acc + v * x[k], 0));
    visit(b * block, offsets, n, s);
    for (let k = outer - 1; k >= 0; k--) {
      if (++idx[k] < outerDims[k]) break;
      idx[k] = 0;
    }
  }
}

export function loop4(n: number[], sa: number[], sb: number[]): Loop4 {
  return {
    n: [n[0], n[1], n[2], n[3]],
    sa: [sa[0], sa[1], sa[2], sa[3]],
    sb: [sb[0], sb[1], sb[2], sb[3]],
  };
}
