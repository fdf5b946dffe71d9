// max_pool2d and avg_pool2d: registry entries over the pooling kernels.
import { apply, willRecord, type OpDef } from "../autograd.js";
import { ShapeError } from "../errors.js";
import { i32ToF32 } from "../kernels/elementwise.js";
import { avgPool2dBwd, avgPool2dFwd, maxPool2dBwd, maxPool2dFwd, maxPool2dFwdValues } from "../kernels/pool.js";
import { planPool2d, type Pair, type PoolGeometry, type PoolOpts } from "../shape.js";
import { empty, Tensor } from "../tensor.js";

// The gradients below are fresh buffers: `empty` plus the kernels' overwrite mode, which writes every element
// of gx once (no zero fill, no read of the uninitialised memory).

/** withIdx: the argmax is needed (a gradient will be taken, or returnIndices); without, values only. */
const MAX_POOL2D: OpDef<{ geom: PoolGeometry; shape: number[]; withIdx: boolean }> = {
  name: "MaxPool2DWithIndices",
  forward: ([x], { geom, shape, withIdx }) => {
    const y = empty(shape);
    if (!withIdx) {
      maxPool2dFwdValues(y._ptr(), x._ptr(), geom);
      return { out: y };
    }
    const idx = empty(shape); // i32 argmax indices, saved for backward
    maxPool2dFwd(y._ptr(), idx._ptr(), x._ptr(), geom);
    return { out: y, saved: { idx, owned: [idx] } };
  },
  grads: [
    (g, saved, [x], { geom }) => {
      const gx = empty(x.shape);
      maxPool2dBwd(gx._ptr(), g._ptr(), (saved.idx as Tensor)._ptr(), geom, true);
      return gx;
    },
  ],
};

export interface MaxPool2dOptions extends PoolOpts { returnIndices?: boolean }

function checkInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: input must be a Tensor, but got ${typeof x}`);
}

export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Pair, opts?: MaxPool2dOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  checkInput("max_pool2d", x);
  const { geom, shape } = planPool2d("max_pool2d", x.shape, kernelSize, opts, true);
  // No tape node, no gradient: then there is no argmax to compute and save.
  const withIdx = willRecord(MAX_POOL2D, [x]);
  if (!opts.returnIndices) return apply(MAX_POOL2D, [x], { geom, shape, withIdx });
  // Indices are wanted too: run the kernel once and expose its i32 argmax as a float tensor.
  let indices: Tensor | null = null;
  const y = apply({ ...MAX_POOL2D, forward: (inputs, o) => {
    const r = MAX_POOL2D.forward(inputs, o);
    const idx = r.saved!.idx as Tensor;
    indices = empty(shape);
    i32ToF32(indices._ptr(), idx._ptr(), idx.numel);
    return r;
  } }, [x], { geom, shape, withIdx: true });
  return [y, indices!];
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

type AvgOpts = { geom: PoolGeometry; shape: number[]; countIncludePad: boolean; divisorOverride: number | null };

const AVG_POOL2D: OpDef<AvgOpts> = {
  name: "AvgPool2D",
  forward: ([x], { geom, shape, countIncludePad, divisorOverride }) => {
    const y = empty(shape);
    avgPool2dFwd(y._ptr(), x._ptr(), geom, countIncludePad, divisorOverride);
    return { out: y };
  },
  grads: [
    (g, _s, [x], { geom, countIncludePad, divisorOverride }) => {
      const gx = empty(x.shape);
      avgPool2dBwd(gx._ptr(), g._ptr(), geom, countIncludePad, divisorOverride, true);
      return gx;
    },
  ],
};

export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  checkInput("avg_pool2d", x);
  const d = opts.divisorOverride;
  if (d != null && (!Number.isInteger(d) || d === 0)) {
    throw new ShapeError(`avg_pool2d: divisorOverride must be a non-zero integer or null, but got ${d}`);
  }
  const { geom, shape } = planPool2d("avg_pool2d", x.shape, kernelSize, { ...opts, dilation: 1 }, false);
  return apply(AVG_POOL2D, [x], { geom, shape, countIncludePad: opts.countIncludePad ?? true, divisorOverride: d ?? null });
}
