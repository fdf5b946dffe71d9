// conv2d and conv_transpose2d: registry entries (forward, one gradient per input) over the GEMM-based
// kernels, plus the explicit padding used by 'same' with an odd total and by non-zero padding modes.
import { apply, type OpDef } from "../autograd.js";
import { ShapeError } from "../errors.js";
import {
  conv2dBwdBias, conv2dBwdFilter, conv2dBwdInput, conv2dFwd,
  convTranspose2dBwdFilter, convTranspose2dBwdInput, convTranspose2dFwd, preferDirect,
} from "../kernels/conv.js";
import { planConv2d, planConvTranspose2d, type ConvGeometry, type ConvOpts, type ConvTransposeOpts } from "../shape.js";
import { empty, Tensor, zerosLike } from "../tensor.js";
import { indexTensor } from "./index_tensor.js";
import { gather } from "./shape.js";

/** direct: tiny enough for the direct loops (preferDirect), decided once per call. */
type G = { geom: ConvGeometry; direct: boolean };

const biasGrad = (g: Tensor, { geom }: G) => {
  const gb = zerosLike([geom.O]);
  conv2dBwdBias(gb._ptr(), g._ptr(), geom.N, geom.O, geom.OH * geom.OW);
  return gb;
};

const CONV2D: OpDef<G> = {
  name: "Convolution",
  forward: ([x, w, b], { geom, direct }) => {
    const y = empty([geom.N, geom.O, geom.OH, geom.OW]);
    conv2dFwd(y._ptr(), x._ptr(), w._ptr(), b ? b._ptr() : 0, geom, direct);
    return { out: y };
  },
  grads: [
    (g, _s, [x, w], { geom, direct }) => {
      const gx = zerosLike(x.shape);
      conv2dBwdInput(gx._ptr(), g._ptr(), w._ptr(), geom, direct);
      return gx;
    },
    (g, _s, [x, w], { geom, direct }) => {
      const gw = zerosLike(w.shape);
      conv2dBwdFilter(gw._ptr(), g._ptr(), x._ptr(), geom, direct);
      return gw;
    },
    (g, _s, _i, opts) => biasGrad(g, opts),
  ],
};

const CONV_TRANSPOSE2D: OpDef<G> = {
  name: "Convolution",
  forward: ([x, w, b], { geom, direct }) => {
    const y = empty([geom.N, geom.O, geom.OH, geom.OW]);
    convTranspose2dFwd(y._ptr(), x._ptr(), w._ptr(), b ? b._ptr() : 0, geom, direct);
    return { out: y };
  },
  grads: [
    (g, _s, [x, w], { geom, direct }) => {
      const gx = zerosLike(x.shape);
      convTranspose2dBwdInput(gx._ptr(), g._ptr(), w._ptr(), geom, direct);
      return gx;
    },
    (g, _s, [x, w], { geom, direct }) => {
      const gw = zerosLike(w.shape);
      convTranspose2dBwdFilter(gw._ptr(), g._ptr(), x._ptr(), geom, direct);
      return gw;
    },
    (g, _s, _i, opts) => biasGrad(g, opts),
  ],
};

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Source index along one axis for output position i of a padded axis (-1 = zero). */
function sourceIndex(i: number, size: number, mode: PaddingMode): number {
  if (i >= 0 && i < size) return i;
  if (mode === "zeros") return -1;
  if (mode === "replicate") return i < 0 ? 0 : size - 1;
  if (mode === "circular") return ((i % size) + size) % size;
  return i < 0 ? -i : 2 * (size - 1) - i; // reflect (without repeating the edge)
}

/** x (..., H, W) padded by [top, bottom, left, right] with the given mode, differentiably. */
export function pad2d(op: string, x: Tensor, [top, bottom, left, right]: number[], mode: PaddingMode): Tensor {
  const h = x.shape[x.ndim - 2], w = x.shape[x.ndim - 1];
  if (mode === "reflect" && (Math.max(top, bottom) >= h || Math.max(left, right) >= w)) {
    throw new ShapeError(`${op}: reflect padding [${top}, ${bottom}, ${left}, ${right}] must be smaller than the input size (${h} x ${w})`);
  }
  if (mode === "circular" && (Math.max(top, bottom) > h || Math.max(left, right) > w)) {
    throw new ShapeError(`${op}: circular padding [${top}, ${bottom}, ${left}, ${right}] must be at most the input size (${h} x ${w})`);
  }
  const hp = h + top + bottom, wp = w + left + right;
  const planes = x.numel / (h * w);
  const rows = Array.from({ length: hp }, (_, i) => sourceIndex(i - top, h, mode));
  const cols = Array.from({ length: wp }, (_, j) => sourceIndex(j - left, w, mode));
  const idx = new Int32Array(planes * hp * wp);
  let k = 0;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < hp; i++) {
      for (let j = 0; j < wp; j++, k++) {
        idx[k] = rows[i] < 0 || cols[j] < 0 ? -1 : p * h * w + rows[i] * w + cols[j];
      }
    }
  }
  return gather(x, indexTensor(idx), [...x.shape.slice(0, -2), hp, wp]);
}

function restoreRank(y: Tensor, unbatched: boolean): Tensor {
  return unbatched ? y.reshape(y.shape.slice(1) as number[]) : y;
}

export interface Conv2dOptions extends ConvOpts { paddingMode?: PaddingMode }

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const op = "conv2d";
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: input must be a Tensor, but got ${typeof x}`);
  if (!(weight instanceof Tensor)) throw new ShapeError(`${op}: weight must be a Tensor, but got ${typeof weight}`);
  const mode = opts.paddingMode ?? "zeros";
  const plan = planConv2d(op, x.shape, weight.shape, bias ? bias.shape : null, opts);
  let input = x;
  let geom = plan.geom;
  if (mode !== "zeros" && (geom.ph > 0 || geom.pw > 0 || plan.extra[0] > 0 || plan.extra[1] > 0)) {
    input = pad2d(op, x, [geom.ph, geom.ph + plan.extra[0], geom.pw, geom.pw + plan.extra[1]], mode);
    geom = { ...geom, H: geom.H + 2 * geom.ph, W: geom.W + 2 * geom.pw, ph: 0, pw: 0 };
  } else if (plan.extra[0] > 0 || plan.extra[1] > 0) {
    input = pad2d(op, x, [0, plan.extra[0], 0, plan.extra[1]], "zeros");
  }
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return restoreRank(apply(CONV2D, inputs, { geom, direct: preferDirect(geom, false) }), plan.unbatched);
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOpts = {}): Tensor {
  const op = "conv_transpose2d";
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: input must be a Tensor, but got ${typeof x}`);
  if (!(weight instanceof Tensor)) throw new ShapeError(`${op}: weight must be a Tensor, but got ${typeof weight}`);
  const plan = planConvTranspose2d(op, x.shape, weight.shape, bias ? bias.shape : null, opts);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return restoreRank(apply(CONV_TRANSPOSE2D, inputs, { geom: plan.geom, direct: preferDirect(plan.geom, true) }), plan.unbatched);
}
