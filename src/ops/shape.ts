// Shape ops: reshape and flatten (views sharing storage), transpose and clone (copies), and the gather used
// for padding modes.
import { apply, type OpDef } from "../autograd.js";
import { contiguousStrides, forEachLoop, numelOf } from "../broadcast.js";
import { checkInt, fmtShape, ShapeError } from "../errors.js";
import { gatherBwd, gatherFwd, stridedCopy } from "../kernels/elementwise.js";
import { empty, Tensor, zerosLike } from "../tensor.js";

/** A view of `t` with another shape (same numel), sharing its storage; not recorded. */
export function rawView(t: Tensor, shape: readonly number[]): Tensor {
  t._storage.refs++;
  return new Tensor(shape, t._storage);
}

function inferShape(op: string, t: Tensor, shape: number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`${op}: only one dimension can be -1, but got ${fmtShape(shape)}`);
  shape.forEach((d, i) => {
    if (d !== -1) checkInt(op, `shape[${i}]`, d, 0);
  });
  const known = numelOf(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : t.numel / known) : d));
  if (numelOf(out) !== t.numel || out.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${t.numel} (shape ${fmtShape(t.shape)})`);
  }
  return out;
}

const RESHAPE: OpDef<{ shape: number[] }> = {
  name: "View",
  forward: ([a], { shape }) => ({ out: rawView(a, shape) }),
  grads: [(g, _s, [a]) => rawView(g, a.shape)],
};

export function reshape(t: Tensor, shape: number[]): Tensor {
  return apply(RESHAPE, [t], { shape: inferShape("reshape", t, shape) });
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const n = t.ndim;
  const s = checkInt("flatten", "startDim", startDim, -n, n - 1);
  const e = checkInt("flatten", "endDim", endDim, -n, n - 1);
  const a = s < 0 ? s + n : s, b = e < 0 ? e + n : e;
  if (a > b) throw new ShapeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...t.shape.slice(0, a), numelOf(t.shape.slice(a, b + 1)), ...t.shape.slice(b + 1)];
  return reshape(t, shape);
}

/** A contiguous copy of `a` with dimensions d0 and d1 swapped. */
function transposeKernel(a: Tensor, d0: number, d1: number): Tensor {
  const shape = [...a.shape];
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  const src = contiguousStrides(a.shape);
  [src[d0], src[d1]] = [src[d1], src[d0]];
  const out = empty(shape);
  const po = out._ptr(), pa = a._ptr();
  forEachLoop(shape, [contiguousStrides(shape), src], (oOff, [, aOff], n, [, s]) =>
    stridedCopy(po + oOff * 4, pa + aOff * 4, false, n, s));
  return out;
}

const TRANSPOSE: OpDef<{ d0: number; d1: number }> = {
  name: "Transpose",
  forward: ([a], { d0, d1 }) => ({ out: transposeKernel(a, d0, d1) }),
  grads: [(g, _s, _i, { d0, d1 }) => transposeKernel(g, d0, d1)],
};

export function transpose(t: Tensor, d0: number, d1: number): Tensor {
  const n = Math.max(t.ndim, 1);
  const a = checkInt("transpose", "dim0", d0, -n, n - 1);
  const b = checkInt("transpose", "dim1", d1, -n, n - 1);
  if (t.ndim < 2) return clone(t);
  return apply(TRANSPOSE, [t], { d0: a < 0 ? a + n : a, d1: b < 0 ? b + n : b });
}

const CLONE: OpDef = {
  name: "Clone",
  forward: ([a]) => {
    const out = empty(a.shape);
    out.copy_(a);
    return { out };
  },
  grads: [(g) => g],
};

export function clone(t: Tensor): Tensor {
  return apply(CLONE, [t], undefined);
}

/**
 * out.flat[i] = a.flat[index[i]] (0 where index[i] < 0), out of shape `shape`. `index` is an i32 tensor
 * stored in a Tensor's storage (bit pattern, not values); the gradient scatters back.
 */
const GATHER: OpDef<{ index: Tensor; shape: number[] }> = {
  name: "Gather",
  forward: ([a], { index, shape }) => {
    const out = empty(shape);
    gatherFwd(out._ptr(), a._ptr(), index._ptr(), out.numel);
    return { out, saved: { owned: [index] } };
  },
  grads: [
    (g, _s, [a], { index }) => {
      const ga = zerosLike(a.shape);
      gatherBwd(ga._ptr(), g._ptr(), index._ptr(), g.numel);
      return ga;
    },
  ],
};

export function gather(a: Tensor, index: Tensor, shape: number[]): Tensor {
  return apply(GATHER, [a], { index, shape });
}
