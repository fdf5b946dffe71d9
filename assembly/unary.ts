// Unary maps (activations, exp/log, powers, ops with a scalar), forward and backward.
// Transcendentals have no WebAssembly SIMD instruction, so their f32x4 twins run lane by lane through the
// scalar loop; neg/abs/relu and the scalar-affine ops are real f32x4 loops.

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

export function unary_fwd_f32x4(out: usize, a: usize, n: i32, op: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  if (op != NEG && op != ABS && op != RELU) {
    unaryFwdScalarLoop(out, a, n, op);
    return;
  }
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(a + off);
    // relu keeps NaN like PyTorch: f32x4.max propagates NaN.
    const y = op == NEG ? f32x4.neg(x) : op == ABS ? f32x4.abs(x) : f32x4.max(x, zero);
    v128.store(out + off, y);
  }
  unaryFwdScalarLoop(out + (<usize>i << 2), a + (<usize>i << 2), n - i, op);
}

/** ga (n) += gout (n) * f'(a); `y` (n) is the forward output (used by exp, sigmoid, tanh, sqrt). */
export function unary_bwd_scalar(ga: usize, gout: usize, a: usize, y: usize, n: i32, op: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = unaryDeriv(op, load<f32>(a + off), load<f32>(y + off));
    store<f32>(ga + off, load<f32>(ga + off) + load<f32>(gout + off) * d);
  }
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
