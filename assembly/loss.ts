// Cross-entropy over class logits, PyTorch semantics: loss[n] = -log_softmax(logits[n])[target[n]].
//
// The forward saves log_softmax for the backward. Reduction (mean over non-ignored targets, sum) and class
// weights are the caller's business: it passes gloss[n] = d(total)/d(loss[n]).
//
// log_softmax follows PyTorch's CPU kernel: m = max(row) (NaN propagates), s = sum(exp(x - m)) in f32,
// logp = (x - m) - log(s). exp/log have no SIMD instruction, so the exp-sum runs scalar in both twins (in the
// same order, so the twins agree bit for bit); the f32x4 twin vectorises the max and the output pass.

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** log(sum_k exp(x[k] - m)), summed in f32 in index order (shared by the twins). */
// @ts-ignore: decorator
@inline function expSumLog(row: usize, K: i32, m: f32): f32 {
  let s: f32 = 0;
  for (let k = 0; k < K; k++) s += Mathf.exp(load<f32>(at(row, k)) - m);
  return Mathf.log(s);
}

/**
 * Cross-entropy forward.
 * loss (N) overwritten with -logp[n, targets[n]]; logp (N,K) overwritten with log_softmax(logits);
 * logits (N,K); targets (N) i32 class indices, validated by the caller (0 <= t < K).
 */
export function cross_entropy_fwd_scalar(loss: usize, logp: usize, logits: usize, targets: usize, N: i32, K: i32): void {
  for (let n = 0; n < N; n++) {
    const row = at(logits, n * K);
    const out = at(logp, n * K);
    let m: f32 = -Infinity;
    for (let k = 0; k < K; k++) m = max(m, load<f32>(at(row, k))); // f32.max propagates NaN
    const ls = expSumLog(row, K, m);
    for (let k = 0; k < K; k++) store<f32>(at(out, k), (load<f32>(at(row, k)) - m) - ls);
    store<f32>(at(loss, n), -load<f32>(at(out, load<i32>(at(targets, n)))));
  }
}

/** f32x4 twin of cross_entropy_fwd_scalar (same arguments, same results). */
export function cross_entropy_fwd_f32x4(loss: usize, logp: usize, logits: usize, targets: usize, N: i32, K: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  for (let n = 0; n < N; n++) {
    const row = at(logits, n * K);
    const out = at(logp, n * K);
    let mv = f32x4.splat(-Infinity);
    let k = 0;
    for (; k + 4 <= K; k += 4) mv = f32x4.max(mv, v128.load(at(row, k)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)),
      max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; k < K; k++) m = max(m, load<f32>(at(row, k)));
    const ls = expSumLog(row, K, m);
    const m4 = f32x4.splat(m);
    const ls4 = f32x4.splat(ls);
    k = 0;
    for (; k + 4 <= K; k += 4) {
      v128.store(at(out, k), f32x4.sub(f32x4.sub(v128.load(at(row, k)), m4), ls4));
    }
    for (; k < K; k++) store<f32>(at(out, k), (load<f32>(at(row, k)) - m) - ls);
    store<f32>(at(loss, n), -load<f32>(at(out, load<i32>(at(targets, n)))));
  }
}

/**
 * Cross-entropy backward: glogits (N,K) += gloss[n] * exp(logp[n,k]) - (k == target ? gloss[n] : 0).
 * gloss (N); logp (N,K) from the forward; targets (N) i32. (PyTorch: log_softmax_backward of the nll grad.)
 */
export function cross_entropy_bwd_scalar(glogits: usize, gloss: usize, logp: usize, targets: usize, N: i32, K: i32): void {
  for (let n = 0; n < N; n++) {
    const gl = load<f32>(at(gloss, n));
    const g = at(glogits, n * K);
    const lp = at(logp, n * K);
    const t = load<i32>(at(targets, n));
    for (let k = 0; k < K; k++) {
      const d = Mathf.exp(load<f32>(at(lp, k))) * gl - (k == t ? gl : <f32>0);
      store<f32>(at(g, k), load<f32>(at(g, k)) + d);
    }
  }
}

/** f32x4 twin of cross_entropy_bwd_scalar (exp per lane, the rest in vectors). */
export function cross_entropy_bwd_f32x4(glogits: usize, gloss: usize, logp: usize, targets: usize, N: i32, K: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const lanes = i32x4(0, 1, 2, 3);
  for (let n = 0; n < N; n++) {
    const gl = load<f32>(at(gloss, n));
    const gl4 = f32x4.splat(gl);
    const g = at(glogits, n * K);
    const lp = at(logp, n * K);
    const t = load<i32>(at(targets, n));
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const q = at(lp, k);
      let e = f32x4.splat(Mathf.exp(load<f32>(q)));
      e = f32x4.replace_lane(e, 1, Mathf.exp(load<f32>(q, 4)));
      e = f32x4.replace_lane(e, 2, Mathf.exp(load<f32>(q, 8)));
      e = f32x4.replace_lane(e, 3, Mathf.exp(load<f32>(q, 12)));
      const onehot = v128.and(gl4, i32x4.eq(i32x4.add(i32x4.splat(k), lanes), i32x4.splat(t)));
      const d = f32x4.sub(f32x4.mul(e, gl4), onehot);
      v128.store(at(g, k), f32x4.add(v128.load(at(g, k)), d));
    }
    for (; k < K; k++) {
      const d = Mathf.exp(load<f32>(at(lp, k))) * gl - (k == t ? gl : <f32>0);
      store<f32>(at(g, k), load<f32>(at(g, k)) + d);
    }
  }
}
