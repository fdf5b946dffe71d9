// Unary maps (activations, exp/log, powers, ops with a scalar), forward and backward.
// WebAssembly SIMD has no transcendental instruction: the f32x4 twins of exp, sigmoid and tanh evaluate
// them with the vector exp of unary_exp.ts (within 1 ulp; sigmoid and tanh within 2.5 ulp of the exact
// values, about what the scalar formulas over Mathf give), four lanes at a time, the last n % 4 elements
// through the same vector code so that a value maps to the same result wherever it sits. log and the
// general pow run lane by lane through the scalar loop; everything else is a plain f32x4 loop.

import { expV, exp16, sigmoidV, tanhV } from "./unary_exp";

// Unary op codes (shared with src/kernels/elementwise.ts).
const NEG = 0;
const ABS = 1;
const EXP = 2;
const LOG = 3;
const RELU = 4;
const SIGMOID = 5;
const TANH = 6;
const SQRT = 7;

@inline function unaryScalar(op: i32, x: f32): f32 {
  if (op == NEG) return -x;
  if (op == ABS) return Mathf.abs(x);
  if (op == EXP) return Mathf.exp(x);
  if (op == LOG) return Mathf.log(x);
  if (op == RELU) return x > 0 ? x : isNaN(x) ? x : 0;
  if (op == SIGMOID) return <f32>1 / (<f32>1 + Mathf.exp(-x));
  if (op == TANH) return <f32>Math.tanh(<f64>x);
  return Mathf.sqrt(x);
}

// d out / d x, given the input x and the forward output y.
@inline function unaryDeriv(op: i32, x: f32, y: f32): f32 {
  if (op == NEG) return -1;
  if (op == ABS) return x > 0 ? 1 : x < 0 ? -1 : 0;
  if (op == EXP) return y;
  if (op == LOG) return <f32>1 / x;
  if (op == RELU) return x > 0 ? 1 : 0;
  if (op == SIGMOID) return y * (<f32>1 - y);
  if (op == TANH) return <f32>1 - y * y;
  return <f32>0.5 / y;
}

function unaryFwdScalarLoop(out: usize, a: usize, n: i32, op: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, unaryScalar(op, load<f32>(a + off)));
  }
}

/** out (n) = f(a (n)); op: 0 neg, 1 abs, 2 exp, 3 log, 4 relu, 5 sigmoid, 6 tanh, 7 sqrt. out may alias a. */
export function unary_fwd_scalar(out: usize, a: usize, n: i32, op: i32): void {
  unaryFwdScalarLoop(out, a, n, op);
}

// @ts-ignore: decorator
@inline function unaryV(op: i32, x: v128): v128 {
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == EXP) return expV(x);
  if (op == RELU) return f32x4.max(x, f32x4.splat(0)); // keeps NaN like PyTorch: f32x4.max propagates it
  if (op == SIGMOID) return sigmoidV(x);
  if (op == TANH) return tanhV(x);
  return f32x4.sqrt(x); // correctly rounded, as Mathf.sqrt
}

/** The f32x4 loop of one op (a constant after inlining); the n % 4 tail goes through a 16-byte buffer. */
// @ts-ignore: decorator
@inline function unaryFwdV(out: usize, a: usize, n: i32, op: i32): void {
  let i = 0;
  if (op == EXP || op == SIGMOID) { // 16 at a time, four exp chains interleaved (unary_exp.ts)
    for (; i + 16 <= n; i += 16) {
      const off = <usize>i << 2;
      exp16(out + off, a + off, op == SIGMOID);
    }
  }
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, unaryV(op, v128.load(a + off)));
  }
  if (i < n) {
    const t = memory.data(16, 16);
    const rest = <usize>(n - i) << 2;
    memory.copy(t, a + (<usize>i << 2), rest);
    v128.store(t, unaryV(op, v128.load(t)));
    memory.copy(out + (<usize>i << 2), t, rest);
  }
}

export function unary_fwd_f32x4(out: usize, a: usize, n: i32, op: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (op == NEG) unaryFwdV(out, a, n, NEG);
  else if (op == ABS) unaryFwdV(out, a, n, ABS);
  else if (op == EXP) unaryFwdV(out, a, n, EXP);
  else if (op == RELU) unaryFwdV(out, a, n, RELU);
  else if (op == SIGMOID) unaryFwdV(out, a, n, SIGMOID);
  else if (op == TANH) unaryFwdV(out, a, n, TANH);
  else if (op == SQRT) unaryFwdV(out, a, n, SQRT);
  else unaryFwdScalarLoop(out, a, n, op);
}

/** ga (n) += gout (n) * f'(a); `y` (n) is the forward output (used by exp, sigmoid, tanh, sqrt). */
export function unary_bwd_scalar(ga: usize, gout: usize, a: usize, y: usize, n: i32, op: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = unaryDeriv(op, load<f32>(a + off), load<f32>(y + off));
    store<f32>(ga + off, load<f32>(ga + off) + load<f32>(gout + off) * d);
  }
}

/**
 * unaryDeriv four lanes at a time, the same f32 operations (so the same bits). It takes addresses and loads
 * only the operand the op's derivative uses: a load whose value is unused is not removed by the optimizer
 * (it could trap), and on LeNet's 1.2M-element sigmoid that extra stream costs ~15% of the backward.
 */
// @ts-ignore: decorator
@inline function unaryDerivV(op: i32, pa: usize, py: usize): v128 {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  if (op == NEG) return f32x4.splat(-1);
  if (op == ABS) {
    const x = v128.load(pa);
    return v128.or(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), f32x4.splat(-1)));
  }
  if (op == EXP) return v128.load(py);
  if (op == LOG) return f32x4.div(one, v128.load(pa));
  if (op == RELU) return v128.and(f32x4.gt(v128.load(pa), zero), one);
  const y = v128.load(py);
  if (op == SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (op == TANH) return f32x4.sub(one, f32x4.mul(y, y));
  return f32x4.div(f32x4.splat(0.5), y);
}

// @ts-ignore: decorator
@inline function unaryBwdV(ga: usize, gout: usize, a: usize, y: usize, n: i32, op: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const d = unaryDerivV(op, a + off, y + off);
    v128.store(ga + off, f32x4.add(v128.load(ga + off), f32x4.mul(v128.load(gout + off), d)));
  }
  const off = <usize>i << 2;
  unary_bwd_scalar(ga + off, gout + off, a + off, y + off, n - i, op);
}

/** f32x4 twin of unary_bwd_scalar (bit-identical: no transcendental in a derivative). */
export function unary_bwd_f32x4(ga: usize, gout: usize, a: usize, y: usize, n: i32, op: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (op == NEG) unaryBwdV(ga, gout, a, y, n, NEG);
  else if (op == ABS) unaryBwdV(ga, gout, a, y, n, ABS);
  else if (op == EXP) unaryBwdV(ga, gout, a, y, n, EXP);
  else if (op == LOG) unaryBwdV(ga, gout, a, y, n, LOG);
  else if (op == RELU) unaryBwdV(ga, gout, a, y, n, RELU);
  else if (op == SIGMOID) unaryBwdV(ga, gout, a, y, n, SIGMOID);
  else if (op == TANH) unaryBwdV(ga, gout, a, y, n, TANH);
  else unaryBwdV(ga, gout, a, y, n, SQRT);
}

// Scalar-operand op codes: out = a op s.
const S_ADD = 0;
const S_MUL = 1;
const S_RSUB = 2; // s - a
const S_RDIV = 3; // s / a
const S_POW = 4;  // a ** s
const S_DIV = 5;  // a / s (true division, not a * (1/s), to round like PyTorch)

@inline function powf(x: f32, s: f32): f32 {
  // The common exponents exactly as repeated products (what PyTorch does for 2 and 3).
  if (s == 2) return x * x;
  if (s == 1) return x;
  if (s == 3) return x * x * x;
  if (s == 0.5) return Mathf.sqrt(x);
  return Mathf.pow(x, s);
}

@inline function scalarOp(op: i32, x: f32, s: f32): f32 {
  if (op == S_ADD) return x + s;
  if (op == S_MUL) return x * s;
  if (op == S_RSUB) return s - x;
  if (op == S_RDIV) return s / x;
  if (op == S_POW) return powf(x, s);
  return x / s;
}

/** out (n) = a (n) op s; op: 0 add, 1 mul, 2 rsub (s-a), 3 rdiv (s/a), 4 pow (a**s), 5 div (a/s). */
export function scalar_fwd_scalar(out: usize, a: usize, n: i32, op: i32, s: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, scalarOp(op, load<f32>(a + off), s));
  }
}

export function scalar_fwd_f32x4(out: usize, a: usize, n: i32, op: i32, s: f32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (op == S_POW && s != 2) {
    scalar_fwd_scalar(out, a, n, op, s);
    return;
  }
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(a + off);
    let y: v128;
    if (op == S_ADD) y = f32x4.add(x, sv);
    else if (op == S_MUL) y = f32x4.mul(x, sv);
    else if (op == S_RSUB) y = f32x4.sub(sv, x);
    else if (op == S_RDIV) y = f32x4.div(sv, x);
    else if (op == S_POW) y = f32x4.mul(x, x);
    else y = f32x4.div(x, sv);
    v128.store(out + off, y);
  }
  scalar_fwd_scalar(out + (<usize>i << 2), a + (<usize>i << 2), n - i, op, s);
}

/** ga (n) += gout (n) * s * a^(s-1): the gradient of a ** s. */
export function pow_bwd_scalar(ga: usize, gout: usize, a: usize, n: i32, s: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(a + off);
    const d = s == 2 ? x * 2 : s == 1 ? <f32>1 : s * powf(x, s - 1);
    store<f32>(ga + off, load<f32>(ga + off) + load<f32>(gout + off) * d);
  }
}
