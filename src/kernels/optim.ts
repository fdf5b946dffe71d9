// Typed wrappers over the optimizer kernels (assembly/optim.ts): the only place that knows their argument order.
//
// Each call updates one parameter tensor of n f32 values in place (pointers are byte offsets into wasm memory).
// Hyperparameters travel as f64 (JS numbers), as in Python; the kernels follow PyTorch's single-tensor CPU path.
import { kernel } from "../wasm.js";

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/**
 * One SGD step. p (n) updated; g (n) read only; buf (n) momentum buffer, unused (may be 0) when momentum is 0.
 * first: true on the parameter's first step with momentum (buf = d), false afterwards.
 */
export function sgdStep(p: number, g: number, buf: number, n: number, h: SgdHyper, first: boolean): void {
  kernel("sgd_step")(p, g, buf, n, h.lr, h.momentum, h.dampening, h.weightDecay, h.nesterov ? 1 : 0, first ? 1 : 0);
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One Adam step (torch.optim.Adam: weight decay added to the gradient). m, v (n) zero before step 1; step is 1-based. */
export function adamStep(p: number, g: number, m: number, v: number, n: number, h: AdamHyper, step: number): void {
  kernel("adam_step")(p, g, m, v, n, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, step);
}

/** One AdamW step (torch.optim.AdamW: p *= 1 - lr*weightDecay, then Adam without weight decay). */
export function adamwStep(p: number, g: number, m: number, v: number, n: number, h: AdamHyper, step: number): void {
  kernel("adamw_step")(p, g, m, v, n, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, step);
}
