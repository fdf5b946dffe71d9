// f32x4 exp, and sigmoid and tanh built on it, for the f32x4 twins of unary.ts. Helpers only (not exported by
// index.ts); they are used in the SIMD build only (the scalar twins keep Mathf / Math).
//
// exp(x) = 2^n * exp(r), n = round(x / ln2), r = x - n*ln2 in [-ln2/2, ln2/2]: ln2 is split into a head of 15
// significant bits (n*head is exact for |n| < 512, no FMA needed) and a tail. exp(r) = 1 + r + r^2 P(r), P of
// degree 4 fitted for minimax relative error (3e-9, far below f32 rounding; Lawson's iteration in mpmath).
// Simulated in float32 over 8M points: max 0.97 ulp for normal results, 0.75 ulp for denormal ones.
// n comes from the round-to-nearest trick: adding 1.5 * 2^23 leaves round(x/ln2) in the low mantissa bits.
// 2^n is applied as two factors 2^(n>>1) and 2^(n - n>>1), each a normal float for n in [-150, 128], so
// that results that overflow (inf) or fall to denormals or zero round once, like a scalar expf. x is
// clamped to [-104, 89] first (exp(-104) rounds to 0, exp(89) to inf); NaN passes the clamp and stays NaN.

// The constants, each repeated in four lanes. They are loaded from memory on use: V8 rematerialises a v128
// constant inside the loop that uses it (three instructions: a 64-bit move, a move to xmm, a shuffle), while
// a load from a fixed address is one instruction (and the loop has too few registers to keep them all).
const C = memory.data<f32>([
  -104, -104, -104, -104, // 0: below, exp rounds to 0
  89, 89, 89, 89, // 1: above, exp rounds to inf
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 2: log2(e)
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 3: 1.5 * 2^23
  0.693145751953125, 0.693145751953125, 0.693145751953125, 0.693145751953125, // 4: ln2 head (0x3f317200)
  1.42860676533018e-6, 1.42860676533018e-6, 1.42860676533018e-6, 1.42860676533018e-6, // 5: ln2 - head
  0.0013814613, 0.0013814613, 0.0013814613, 0.0013814613, // 6..10: P, highest degree first
  0.00836871, 0.00836871, 0.00836871, 0.00836871,
  0.04166839, 0.04166839, 0.04166839, 0.04166839,
  0.16666521, 0.16666521, 0.16666521, 0.16666521,
  0.49999994, 0.49999994, 0.49999994, 0.49999994,
  1, 1, 1, 1, // 11: one (also 127 << 23, the exponent bias in place)
  0.016437575, 0.016437575, 0.016437575, 0.016437575, // 12..15: Q of tanh, highest degree first
  -0.05267181, -0.05267181, -0.05267181, -0.05267181,
  0.13320725, 0.13320725, 0.13320725, 0.13320725,
  -0.33332947, -0.33332947, -0.33332947, -0.33332947,
  0.55, 0.55, 0.55, 0.55, // 16: tanh switches to the exp formula at |x| >= 0.55
  2, 2, 2, 2, // 17
], 16);

// @ts-ignore: decorator
@inline function k(i: i32): v128 {
  return v128.load(C + (<usize>i << 4));
}

/** exp of four lanes, within 1 ulp; exp(-inf) = 0, exp(+inf) = inf, NaN -> NaN. */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, k(0)), k(1)); // pmin/pmax keep a NaN x
  const t = f32x4.add(f32x4.mul(x, k(2)), k(3));
  const nf = f32x4.sub(t, k(3));
  const n = i32x4.sub(t, k(3)); // integer difference of the bit patterns: round(x / ln2)
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(nf, k(4))), f32x4.mul(nf, k(5)));
  let p = f32x4.add(f32x4.mul(k(6), r), k(7));
  p = f32x4.add(f32x4.mul(p, r), k(8));
  p = f32x4.add(f32x4.mul(p, r), k(9));
  p = f32x4.add(f32x4.mul(p, r), k(10));
  const e = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r, r), p), r), k(11));
  return scale2n(e, n);
}

/** e * 2^n for integer lanes n in [-150, 128], as two normal factors 2^(n>>1) and 2^(n - n>>1). */
// @ts-ignore: decorator
@inline function scale2n(e: v128, n: v128): v128 {
  const one = k(11);
  const n1 = i32x4.shr_s(n, 1);
  const s1 = i32x4.add(i32x4.shl(n1, 23), one); // bits of 2^n1: (n1 + 127) << 23, and 1.0f is 127 << 23
  const s2 = i32x4.add(i32x4.shl(i32x4.sub(n, n1), 23), one);
  return f32x4.mul(f32x4.mul(e, s1), s2);
}

/**
 * exp (sigmoid = false) or 1 / (1 + exp(-x)) (sigmoid = true) of the 16 floats at src, stored at dst: the
 * steps of expV on four vectors, interleaved step by step (same operations, same results). Why: expV is one
 * chain of ~20 dependent operations, V8 emits instructions in program order, and the core's scheduler holds
 * about two loop iterations, so one vector per iteration runs at the chain's latency; four chains side by side
 * run at the arithmetic throughput instead (measured on 1.2M floats: exp 2.3 -> 1.3 ms).
 *   dst: (16) may alias src   src: (16)
 */
// @ts-ignore: decorator
@inline export function exp16(dst: usize, src: usize, sigmoid: bool): void {
  let x0 = v128.load(src), x1 = v128.load(src, 16), x2 = v128.load(src, 32), x3 = v128.load(src, 48);
  if (sigmoid) {
    x0 = f32x4.neg(x0); x1 = f32x4.neg(x1); x2 = f32x4.neg(x2); x3 = f32x4.neg(x3);
  }
  x0 = f32x4.pmin(f32x4.pmax(x0, k(0)), k(1));
  x1 = f32x4.pmin(f32x4.pmax(x1, k(0)), k(1));
  x2 = f32x4.pmin(f32x4.pmax(x2, k(0)), k(1));
  x3 = f32x4.pmin(f32x4.pmax(x3, k(0)), k(1));
  // t: round(x / ln2) in the low mantissa bits; nf: the same as a float
  const t0 = f32x4.add(f32x4.mul(x0, k(2)), k(3));
  const t1 = f32x4.add(f32x4.mul(x1, k(2)), k(3));
  const t2 = f32x4.add(f32x4.mul(x2, k(2)), k(3));
  const t3 = f32x4.add(f32x4.mul(x3, k(2)), k(3));
  const nf0 = f32x4.sub(t0, k(3));
  const nf1 = f32x4.sub(t1, k(3));
  const nf2 = f32x4.sub(t2, k(3));
  const nf3 = f32x4.sub(t3, k(3));
  // r = x - n*ln2 in two parts
  const r0 = f32x4.sub(f32x4.sub(x0, f32x4.mul(nf0, k(4))), f32x4.mul(nf0, k(5)));
  const r1 = f32x4.sub(f32x4.sub(x1, f32x4.mul(nf1, k(4))), f32x4.mul(nf1, k(5)));
  const r2 = f32x4.sub(f32x4.sub(x2, f32x4.mul(nf2, k(4))), f32x4.mul(nf2, k(5)));
  const r3 = f32x4.sub(f32x4.sub(x3, f32x4.mul(nf3, k(4))), f32x4.mul(nf3, k(5)));
  // P(r), Horner
  let p0 = f32x4.add(f32x4.mul(k(6), r0), k(7));
  let p1 = f32x4.add(f32x4.mul(k(6), r1), k(7));
  let p2 = f32x4.add(f32x4.mul(k(6), r2), k(7));
  let p3 = f32x4.add(f32x4.mul(k(6), r3), k(7));
  p0 = f32x4.add(f32x4.mul(p0, r0), k(8));
  p1 = f32x4.add(f32x4.mul(p1, r1), k(8));
  p2 = f32x4.add(f32x4.mul(p2, r2), k(8));
  p3 = f32x4.add(f32x4.mul(p3, r3), k(8));
  p0 = f32x4.add(f32x4.mul(p0, r0), k(9));
  p1 = f32x4.add(f32x4.mul(p1, r1), k(9));
  p2 = f32x4.add(f32x4.mul(p2, r2), k(9));
  p3 = f32x4.add(f32x4.mul(p3, r3), k(9));
  p0 = f32x4.add(f32x4.mul(p0, r0), k(10));
  p1 = f32x4.add(f32x4.mul(p1, r1), k(10));
  p2 = f32x4.add(f32x4.mul(p2, r2), k(10));
  p3 = f32x4.add(f32x4.mul(p3, r3), k(10));
  // exp(r) = 1 + r + r^2 P(r)
  const e0 = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r0, r0), p0), r0), k(11));
  const e1 = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r1, r1), p1), r1), k(11));
  const e2 = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r2, r2), p2), r2), k(11));
  const e3 = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r3, r3), p3), r3), k(11));
  // times 2^n as two factors (see the header)
  let y0 = scale2n(e0, i32x4.sub(t0, k(3)));
  let y1 = scale2n(e1, i32x4.sub(t1, k(3)));
  let y2 = scale2n(e2, i32x4.sub(t2, k(3)));
  let y3 = scale2n(e3, i32x4.sub(t3, k(3)));
  if (sigmoid) {
    y0 = f32x4.div(k(11), f32x4.add(k(11), y0));
    y1 = f32x4.div(k(11), f32x4.add(k(11), y1));
    y2 = f32x4.div(k(11), f32x4.add(k(11), y2));
    y3 = f32x4.div(k(11), f32x4.add(k(11), y3));
  }
  v128.store(dst, y0);
  v128.store(dst, y1, 16);
  v128.store(dst, y2, 32);
  v128.store(dst, y3, 48);
}

/** 1 / (1 + exp(-x)), the scalar twin's formula: 0 and 1 at the infinities, NaN -> NaN. */
// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  const one = k(11);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

/**
 * tanh of four lanes, within 1.5 ulp. With a = |x|: 1 - 2 / (exp(2a) + 1) for a >= 0.55, where the
 * subtraction no longer cancels much; below, a + a^3 Q(a^2) (Q of degree 3, fitted like P above, 4e-8
 * relative), which also keeps tiny and denormal x exact. Both are computed and the lane picks one; the sign
 * of x is put back last (tanh(-0) = -0). tanh(+-inf) = +-1, NaN -> NaN.
 */
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  const a = f32x4.abs(x);
  const a2 = f32x4.mul(a, a);
  let q = f32x4.add(f32x4.mul(k(12), a2), k(13));
  q = f32x4.add(f32x4.mul(q, a2), k(14));
  q = f32x4.add(f32x4.mul(q, a2), k(15));
  const small = f32x4.add(f32x4.mul(f32x4.mul(a2, a), q), a);
  const one = k(11);
  const big = f32x4.sub(one, f32x4.div(k(17), f32x4.add(expV(f32x4.add(a, a)), one)));
  const t = v128.bitselect(small, big, f32x4.lt(a, k(16)));
  return v128.or(t, v128.andnot(x, a)); // x without its magnitude is its sign bit; t >= 0 (or NaN)
}
