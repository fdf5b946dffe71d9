// Reductions: sum, mean, max, and sumTo (the adjoint of broadcasting, used by every broadcasting gradient).
import { apply, type OpDef } from "../autograd.js";
import { broadcastStrides, contiguousStrides, forEachLoop, numelOf } from "../broadcast.js";
import { checkInt, fmtShape } from "../errors.js";
import { maxAllBwd, maxAllFwd, scalarFwd, stridedCopy, sumFwd } from "../kernels/elementwise.js";
import { empty, Tensor, zerosLike } from "../tensor.js";
import { rawView } from "./shape.js";

function normDim(op: string, dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  checkInt(op, "dim", dim, -n, n - 1);
  return dim < 0 ? dim + n : dim;
}

/** Sum over one dimension (keepdim shape) of a contiguous tensor, as a fresh tensor. */
function sumDimKernel(a: Tensor, d: number): Tensor {
  const shape = [...a.shape];
  const outer = numelOf(shape.slice(0, d));
  const r = shape[d] ?? 1;
  const inner = numelOf(shape.slice(d + 1));
  if (shape.length > 0) shape[d] = 1;
  const out = empty(shape);
  sumFwd(out._ptr(), a._ptr(), outer, r, inner);
  return out;
}

/** `g` broadcast up to `shape` (g's shape is broadcastable to it), as a fresh contiguous tensor. */
export function expandTo(g: Tensor, shape: readonly number[]): Tensor {
  const out = empty(shape);
  const po = out._ptr(), pg = g._ptr();
  forEachLoop(shape, [contiguousStrides(shape), broadcastStrides(g.shape, shape)], (oOff, [, gOff], n, [, s]) =>
    stridedCopy(po + oOff * 4, pg + gOff * 4, false, n, s));
  return out;
}

/**
 * Sums `g` down to `shape`, the shape of an operand that was broadcast to g's shape. With `owned`, g is
 * consumed (disposed or returned); otherwise it is left alone (and may be returned as is).
 */
export function sumTo(g: Tensor, shape: readonly number[], owned = false): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  let cur = g;
  const drop = () => { if (cur !== g || owned) cur.dispose(); };
  const lead = g.shape.length - shape.length;
  if (lead > 0) {
    const flat = rawView(cur, [numelOf(g.shape.slice(0, lead)), ...g.shape.slice(lead)]);
    const next = sumDimKernel(flat, 0);
    flat.dispose();
    drop();
    cur = rawView(next, next.shape.slice(1));
    next.dispose();
  }
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1 && cur.shape[i] !== 1) {
      const next = sumDimKernel(cur, i);
      drop();
      cur = next;
    }
  }
  if (cur === g) return g;
  const result = rawView(cur, shape);
  cur.dispose();
  return result;
}

interface SumOpts { dim: number | null; keepdim: boolean; mean: boolean }

const SUM: OpDef<SumOpts> = {
  name: "Sum",
  forward: ([a], { dim, keepdim, mean }) => {
    let out: Tensor;
    let count: number;
    if (dim === null) {
      count = a.numel;
      const flat = rawView(a, [a.numel]);
      const s = sumDimKernel(flat, 0);
      flat.dispose();
      out = rawView(s, []);
      s.dispose();
    } else {
      count = a.shape[dim] ?? 1;
      const s = sumDimKernel(a, dim);
      out = keepdim || a.ndim === 0 ? s : rawView(s, a.shape.filter((_, i) => i !== dim));
      if (out !== s) s.dispose();
    }
    if (mean) scalarFwd(out._ptr(), out._ptr(), out.numel, "div", count);
    return { out };
  },
  grads: [
    (g, _s, [a], { dim, mean }) => {
      const keepShape = dim === null ? a.shape.map(() => 1) : a.shape.map((d, i) => (i === dim ? 1 : d));
      const gk = rawView(g, keepShape);
      const ga = expandTo(gk, a.shape);
      gk.dispose();
      if (mean) {
        const count = dim === null ? a.numel : a.shape[dim];
        scalarFwd(ga._ptr(), ga._ptr(), ga.numel, "div", count);
      }
      return ga;
    },
  ],
};

export function sum(a: Tensor, dim?: number, keepdim = false): Tensor {
  const d = dim === undefined || dim === null ? null : normDim("sum", dim, a.ndim);
  return apply({ ...SUM, name: "Sum" }, [a], { dim: d, keepdim, mean: false });
}

export function mean(a: Tensor, dim?: number, keepdim = false): Tensor {
  const d = dim === undefined || dim === null ? null : normDim("mean", dim, a.ndim);
  return apply({ ...SUM, name: "Mean" }, [a], { dim: d, keepdim, mean: true });
}

const MAX: OpDef = {
  name: "Max",
  forward: ([a]) => {
    const out = empty([]);
    maxAllFwd(out._ptr(), a._ptr(), a.numel);
    return { out, saved: { out } };
  },
  grads: [
    (g, saved, [a]) => {
      const ga = zerosLike(a.shape);
      const m = (saved.out as Tensor).item();
      maxAllBwd(ga._ptr(), g._ptr(), a._ptr(), a.numel, m);
      return ga;
    },
  ],
};

export function max(a: Tensor): Tensor {
  if (a.numel === 0) throw new Error(`max: expected a non-empty tensor, but got shape ${fmtShape(a.shape)}`);
  return apply(MAX, [a], undefined);
}
