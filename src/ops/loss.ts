// Losses: mse (composed of differentiable elementwise ops) and softmax cross-entropy (one fused kernel).
import { apply, type OpDef } from "../autograd.js";
import { check, fmtShape, ShapeError } from "../errors.js";
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
  check(input instanceof Tensor && target instanceof Tensor, "mse_loss", () => "input and target must be Tensors");
  check(input.shape.length === target.shape.length && input.shape.every((d, i) => d === target.shape[i]), "mse_loss", () =>
    `input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} must be the same`);
  const d = input.sub(target);
  return reduce("mse_loss", d.mul(d), opts.reduction ?? "mean");
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
  check(logits instanceof Tensor, op, () => "logits must be a Tensor");
  check(logits.ndim === 1 || logits.ndim === 2, op, () => `logits must be (N, C) or (C), but got shape ${fmtShape(logits.shape)}`);
  const unbatched = logits.ndim === 1;
  const [N, K] = unbatched ? [1, logits.shape[0]] : logits.shape;
  const t = targets instanceof Tensor ? Array.from(targets.toFloat32Array()) : typeof targets === "number" ? [targets] : targets;
  check(Array.isArray(t), op, () => "targets must be a Tensor or an array of class indices");
  if (targets instanceof Tensor && targets.ndim === logits.ndim && targets.ndim === 2) {
    throw new ShapeError(`${op}: class-probability targets (shape ${fmtShape(targets.shape)}) are not supported yet; give class indices of shape [${N}]`);
  }
  check(t.length === N, op, () => `expected ${N} targets (one per row of logits ${fmtShape(logits.shape)}), but got ${t.length}`);
  t.forEach((v, i) => check(Number.isInteger(v) && v >= 0 && v < K, op, () => `target ${i} is ${v}, but class indices must be integers in [0, ${K - 1}]`));
  const x = unbatched ? logits.reshape(1, K) : logits;
  const perSample = apply(CROSS_ENTROPY, [x], { targets: indexTensor(t), N, K });
  const r = opts.reduction ?? "mean";
  return reduce(op, unbatched && r === "none" ? perSample.reshape([]) : perSample, r);
}
