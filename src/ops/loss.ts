// Losses: mse (composed of differentiable elementwise ops) and softmax cross-entropy (one fused kernel).
import { apply, release, type OpDef } from "../autograd.js";
import { fmtShape, ShapeError, fail } from "../errors.js";
import { crossEntropyBwd, crossEntropyFwd } from "../kernels/loss.js";
import { empty, Tensor, zerosLike } from "../tensor.js";
import { indexTensor } from "./index_tensor.js";

export type Reduction = "mean" | "sum" | "none";

function reduce(op: string, t: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return t.mean();
  if (reduction === "sum") return t.sum();
  if (reduction === "none") return t;
  throw new ShapeError(`${op}: reduction must be 'mean', 'sum' or 'none', but got '${reduction}'`);
}

export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  if (!(input instanceof Tensor && target instanceof Tensor)) fail("mse_loss", "input and target must be Tensors");
  if (!(input.shape.length === target.shape.length && input.shape.every((d, i) => d === target.shape[i]))) fail("mse_loss", `input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} must be the same`);
  const d = input.sub(target);
  const sq = d.mul(d);
  release(d);
  const out = reduce("mse_loss", sq, opts.reduction ?? "mean");
  if (out !== sq) release(sq);
  return out;
}

const CROSS_ENTROPY: OpDef<{ targets: Tensor; N: number; K: number }> = {
  name: "NllLoss",
  forward: ([logits], { targets, N, K }) => {
    const loss = empty([N]);
    const logp = empty([N, K]);
    crossEntropyFwd(loss._ptr(), logp._ptr(), logits._ptr(), targets._ptr(), N, K);
    return { out: loss, saved: { logp, owned: [logp, targets] } };
  },
  grads: [
    (g, saved, [logits], { targets, N, K }) => {
      const gl = zerosLike(logits.shape);
      crossEntropyBwd(gl._ptr(), g._ptr(), (saved.logp as Tensor)._ptr(), targets._ptr(), N, K);
      return gl;
    },
  ],
};

/** Softmax cross-entropy of logits (N, K) or (K) against class indices (a Tensor or number[] of N ints). */
export function crossEntropy(logits: Tensor, targets: Tensor | number[] | number, opts: { reduction?: Reduction } = {}): Tensor {
  const op = "cross_entropy";
  if (!(logits instanceof Tensor)) fail(op, "logits must be a Tensor");
  if (!(logits.ndim === 1 || logits.ndim === 2)) fail(op, `logits must be (N, C) or (C), but got shape ${fmtShape(logits.shape)}`);
  const unbatched = logits.ndim === 1;
  const [N, K] = unbatched ? [1, logits.shape[0]] : logits.shape;
  const t = targets instanceof Tensor ? Array.from(targets.toFloat32Array()) : typeof targets === "number" ? [targets] : targets;
  if (!(Array.isArray(t))) fail(op, "targets must be a Tensor or an array of class indices");
  if (targets instanceof Tensor && targets.ndim === logits.ndim && targets.ndim === 2) {
    throw new ShapeError(`${op}: class-probability targets (shape ${fmtShape(targets.shape)}) are not supported yet; give class indices of shape [${N}]`);
  }
  if (!(t.length === N)) fail(op, `expected ${N} targets (one per row of logits ${fmtShape(logits.shape)}), but got ${t.length}`);
  t.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < K)) fail(op, `target ${i} is ${v}, but class indices must be integers in [0, ${K - 1}]`);
  });
  const x = unbatched ? logits.reshape(1, K) : logits;
  const perSample = apply(CROSS_ENTROPY, [x], { targets: indexTensor(t), N, K });
  const r = opts.reduction ?? "mean";
  const losses = unbatched && r === "none" ? perSample.reshape([]) : perSample;
  const out = reduce(op, losses, r);
  if (losses !== perSample) release(perSample);
  if (out !== losses) release(losses);
  if (x !== logits) release(x);
  return out;
}
