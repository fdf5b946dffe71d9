// Naive references (f64) for the elementwise, broadcasting and reduction ops, written from NumPy/PyTorch's
// definitions with explicit index arithmetic.

/** out[idx] = f(a[bidx(a)], b[bidx(b)]) over the broadcast shape. */
export function refBroadcast(
  a: ArrayLike<number>, as: number[], b: ArrayLike<number>, bs: number[], f: (x: number, y: number) => number,
): { data: number[]; shape: number[] } {
  const n = Math.max(as.length, bs.length);
  const pa = [...Array(n - as.length).fill(1), ...as], pb = [...Array(n - bs.length).fill(1), ...bs];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const total = shape.reduce((x, y) => x * y, 1);
  const data: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rem = flat, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = n - 1; d >= 0; d--) {
      const i = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      ia += (pa[d] === 1 ? 0 : i) * sa;
      ib += (pb[d] === 1 ? 0 : i) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    data.push(f(a[ia], b[ib]));
  }
  return { data, shape };
}

/** Sum over dimension d of a contiguous tensor (keepdim shape). */
export function refSumDim(a: ArrayLike<number>, shape: number[], d: number): number[] {
  const outer = shape.slice(0, d).reduce((x, y) => x * y, 1);
  const r = shape[d];
  const inner = shape.slice(d + 1).reduce((x, y) => x * y, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += a[(o * r + k) * inner + i];
      out.push(s);
    }
  }
  return out;
}

/** Transpose of dimensions d0, d1 of a contiguous tensor. */
export function refTranspose(a: ArrayLike<number>, shape: number[], d0: number, d1: number): number[] {
  const out: number[] = [];
  const tshape = [...shape];
  [tshape[d0], tshape[d1]] = [tshape[d1], tshape[d0]];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const total = shape.reduce((x, y) => x * y, 1);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    const idx = new Array(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % tshape[d];
      rem = Math.floor(rem / tshape[d]);
    }
    [idx[d0], idx[d1]] = [idx[d1], idx[d0]];
    out.push(a[idx.reduce((acc: number, v: number, i: number) => acc + v * strides[i], 0)]);
  }
  return out;
}
