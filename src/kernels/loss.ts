// Typed wrappers over the cross-entropy kernels (assembly/loss.ts): the only place that knows their argument order.
import { kernel } from "../wasm.js";

/**
 * Cross-entropy forward. loss (N) f32 overwritten with -log_softmax(logits)[n, targets[n]]; logp (N,K) f32
 * overwritten with log_softmax(logits) (saved for the backward); logits (N,K) f32; targets (N) i32, which the
 * caller has checked (0 <= t < K). Numerically stable (the row max is subtracted first).
 */
export function crossEntropyFwd(loss: number, logp: number, logits: number, targets: number, N: number, K: number): void {
  kernel("cross_entropy_fwd")(loss, logp, logits, targets, N, K);
}

/** Cross-entropy backward: glogits (N,K) += gloss[n] * (exp(logp[n,k]) - onehot(targets[n])[k]); gloss (N). */
export function crossEntropyBwd(glogits: number, gloss: number, logp: number, targets: number, N: number, K: number): void {
  kernel("cross_entropy_bwd")(glogits, gloss, logp, targets, N, K);
}
