// Optimizer steps for one parameter tensor of n floats, following PyTorch's single-tensor (for-loop) CPU path.
//
// Hyperparameters are f64, as in Python; scalars derived from them (1 - dampening, lr / bias_correction1, ...)
// are computed in f64 and rounded to f32 where PyTorch hands them to a float32 tensor op. Tensor arithmetic is
// f32 in PyTorch's operation order, without fused multiply-add (PyTorch's AVX2 kernels may fuse: expect
// differences of an ulp or so). The f32x4 twins use only IEEE-exact lane operations (add, mul, div, sqrt), so
// they agree with the scalar twins bit for bit.

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// ---------------------------------------------------------------------------------------------- SGD

// @ts-ignore: decorator
@inline function sgdOne(
  p: usize, g: usize, buf: usize, wd: f32, hasWd: bool, mom: f32, hasMom: bool, damp1: f32,
  nesterov: bool, first: bool, nlr: f32,
): void {
  let d = load<f32>(g);
  if (hasWd) d = d + wd * load<f32>(p);
  if (hasMom) {
    const b = first ? d : mom * load<f32>(buf) + damp1 * d;
    store<f32>(buf, b);
    d = nesterov ? d + mom * b : b;
  }
  store<f32>(p, load<f32>(p) + nlr * d);
}

/**
 * SGD step. p (n) updated in place; g (n) read only; buf (n) momentum buffer (unused when momentum == 0).
 * d = g + weightDecay*p (when weightDecay != 0); if momentum != 0: buf = first ? d : momentum*buf +
 * (1-dampening)*d, d = nesterov ? d + momentum*buf : buf; p = p + (-lr)*d. nesterov, first: 0/1.
 */
export function sgd_step_scalar(
  p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: i32, first: i32,
): void {
  const wd = <f32>weightDecay, mom = <f32>momentum, damp1 = <f32>(1 - dampening), nlr = <f32>(-lr);
  const hasWd = weightDecay != 0, hasMom = momentum != 0, nest = nesterov != 0, fst = first != 0;
  for (let i = 0; i < n; i++) {
    sgdOne(at(p, i), at(g, i), at(buf, i), wd, hasWd, mom, hasMom, damp1, nest, fst, nlr);
  }
}

/** f32x4 twin of sgd_step_scalar. */
export function sgd_step_f32x4(
  p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: i32, first: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const wd = <f32>weightDecay, mom = <f32>momentum, damp1 = <f32>(1 - dampening), nlr = <f32>(-lr);
  const hasWd = weightDecay != 0, hasMom = momentum != 0, nest = nesterov != 0, fst = first != 0;
  const wd4 = f32x4.splat(wd), mom4 = f32x4.splat(mom), damp4 = f32x4.splat(damp1), nlr4 = f32x4.splat(nlr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pp = at(p, i);
    const bp = at(buf, i);
    const pv = v128.load(pp);
    let d = v128.load(at(g, i));
    if (hasWd) d = f32x4.add(d, f32x4.mul(wd4, pv));
    if (hasMom) {
      const b = fst ? d : f32x4.add(f32x4.mul(mom4, v128.load(bp)), f32x4.mul(damp4, d));
      v128.store(bp, b);
      d = nest ? f32x4.add(d, f32x4.mul(mom4, b)) : b;
    }
    v128.store(pp, f32x4.add(pv, f32x4.mul(nlr4, d)));
  }
  for (; i < n; i++) sgdOne(at(p, i), at(g, i), at(buf, i), wd, hasWd, mom, hasMom, damp1, nest, fst, nlr);
}

// ---------------------------------------------------------------------------------------------- Adam / AdamW

// Per-call scalars, computed in f64 like Python and rounded once (module globals: no struct needed).
let aW: f32 = 0; // lerp weight 1 - beta1
let aSmall = true; // |weight| < 0.5: m + w*(d - m), else d - (d - m)*(1 - w)  (ATen's lerp)
let aOneMinusW: f32 = 0;
let aB2: f32 = 0;
let aOneMinusB2: f32 = 0;
let aBc2Sqrt: f32 = 0;
let aEps: f32 = 0;
let aNegStep: f32 = 0; // -(lr / bias_correction1)
let aWd: f32 = 0;
let aDecay: f32 = 1; // AdamW: 1 - lr*weightDecay

function adamSetup(lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, step: i32): void {
  const w = 1 - beta1;
  aW = <f32>w;
  aSmall = Math.abs(<f64>aW) < 0.5;
  aOneMinusW = 1 - aW;
  aB2 = <f32>beta2;
  aOneMinusB2 = <f32>(1 - beta2);
  const bc1 = 1 - Math.pow(beta1, <f64>step);
  const bc2 = 1 - Math.pow(beta2, <f64>step);
  aBc2Sqrt = <f32>Math.sqrt(bc2);
  aEps = <f32>eps;
  aNegStep = <f32>(-(lr / bc1));
  aWd = <f32>weightDecay;
  aDecay = <f32>(1 - lr * weightDecay);
}

// @ts-ignore: decorator
@inline function adamOne(p: usize, g: usize, m: usize, v: usize, coupledWd: bool, decoupled: bool): void {
  let pv = load<f32>(p);
  if (decoupled) pv = pv * aDecay;
  let d = load<f32>(g);
  if (coupledWd) d = d + aWd * pv;
  const m0 = load<f32>(m);
  const m1 = aSmall ? m0 + aW * (d - m0) : d - (d - m0) * aOneMinusW;
  const v1 = load<f32>(v) * aB2 + aOneMinusB2 * d * d;
  store<f32>(m, m1);
  store<f32>(v, v1);
  const denom = Mathf.sqrt(v1) / aBc2Sqrt + aEps;
  store<f32>(p, pv + aNegStep * m1 / denom);
}

/** f32x4 body over the first n & ~3 elements; returns where the scalar tail starts. */
// @ts-ignore: decorator
@inline function adamSimd(p: usize, g: usize, m: usize, v: usize, n: i32, coupledWd: bool, decoupled: bool): i32 {
  if (!ASC_FEATURE_SIMD) { unreachable(); return 0; }
  const w4 = f32x4.splat(aW), omw4 = f32x4.splat(aOneMinusW), b24 = f32x4.splat(aB2);
  const omb24 = f32x4.splat(aOneMinusB2), bc4 = f32x4.splat(aBc2Sqrt), eps4 = f32x4.splat(aEps);
  const ns4 = f32x4.splat(aNegStep), wd4 = f32x4.splat(aWd), dec4 = f32x4.splat(aDecay);
  const small = aSmall;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pp = at(p, i), mp = at(m, i), vp = at(v, i);
    let pv = v128.load(pp);
    if (decoupled) pv = f32x4.mul(pv, dec4);
    let d = v128.load(at(g, i));
    if (coupledWd) d = f32x4.add(d, f32x4.mul(wd4, pv));
    const m0 = v128.load(mp);
    const diff = f32x4.sub(d, m0);
    const m1 = small ? f32x4.add(m0, f32x4.mul(w4, diff)) : f32x4.sub(d, f32x4.mul(diff, omw4));
    const v1 = f32x4.add(f32x4.mul(v128.load(vp), b24), f32x4.mul(f32x4.mul(omb24, d), d));
    v128.store(mp, m1);
    v128.store(vp, v1);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v1), bc4), eps4);
    v128.store(pp, f32x4.add(pv, f32x4.div(f32x4.mul(ns4, m1), denom)));
  }
  return i;
}

// @ts-ignore: decorator
@inline function adamLoop(p: usize, g: usize, m: usize, v: usize, n: i32, coupledWd: bool, decoupled: bool, simd: bool): void {
  let i = 0;
  if (simd) i = adamSimd(p, g, m, v, n, coupledWd, decoupled);
  for (; i < n; i++) adamOne(at(p, i), at(g, i), at(m, i), at(v, i), coupledWd, decoupled);
}

/**
 * Adam step (PyTorch torch.optim.Adam, amsgrad=False, maximize=False). p (n) updated in place; g (n) read
 * only; m, v (n) first/second moment buffers (zeros before step 1). step: the 1-based step count, i32.
 * d = g + wd*p; m = lerp(m, d, 1-beta1); v = v*beta2 + (1-beta2)*d*d;
 * p = p + (-lr/(1-beta1^step)) * m / (sqrt(v)/sqrt(1-beta2^step) + eps).
 */
export function adam_step_scalar(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, step: i32,
): void {
  adamSetup(lr, beta1, beta2, eps, weightDecay, step);
  if (weightDecay != 0) adamLoop(p, g, m, v, n, true, false, false);
  else adamLoop(p, g, m, v, n, false, false, false);
}

/** f32x4 twin of adam_step_scalar. */
export function adam_step_f32x4(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, step: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  adamSetup(lr, beta1, beta2, eps, weightDecay, step);
  if (weightDecay != 0) adamLoop(p, g, m, v, n, true, false, true);
  else adamLoop(p, g, m, v, n, false, false, true);
}

/** AdamW step: p = p * (1 - lr*weightDecay) first, then the Adam update without weight decay in d. */
export function adamw_step_scalar(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, step: i32,
): void {
  adamSetup(lr, beta1, beta2, eps, weightDecay, step);
  adamLoop(p, g, m, v, n, false, true, false);
}

/** f32x4 twin of adamw_step_scalar. */
export function adamw_step_f32x4(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, step: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  adamSetup(lr, beta1, beta2, eps, weightDecay, step);
  adamLoop(p, g, m, v, n, false, true, true);
}
