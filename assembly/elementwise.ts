// Elementwise arithmetic, activations, reductions and copies: the small kernels that training needs
// between the convolutions. Every SIMD kernel here has a scalar twin with the same signature.
//
// Broadcasting is resolved by the caller into at most four loop dimensions with element strides
// (stride 0 = broadcast). The innermost dimension is the only one vectorised: it is where the contiguous
// runs are, and the three cases that matter (both contiguous, a scalar on either side) get f32x4 loops.

// Binary op codes (shared with src/kernels/elementwise.ts).
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAXIMUM = 4;

@inline function binScalar(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  if (op == DIV) return x / y;
  return x > y || isNaN(x) ? x : y;
}

@inline function binVec(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  if (op == DIV) return f32x4.div(x, y);
  return f32x4.max(x, y);
}

// One contiguous output row of length n: out[i] = a[i*as] op b[i*bs].
@inline function binRowScalar(op: i32, out: usize, a: usize, b: usize, n: i32, as: i32, bs: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<f32>(a + ((<usize>(i * as)) << 2));
    const y = load<f32>(b + ((<usize>(i * bs)) << 2));
    store<f32>(out + (<usize>i << 2), binScalar(op, x, y));
  }
}

@inline function binRowVec(op: i32, out: usize, a: usize, b: usize, n: i32, as: i32, bs: i32): void {
  let i = 0;
  if (as == 1 && bs == 1) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, binVec(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (as == 0 && bs == 1) {
    const xa = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, binVec(op, xa, v128.load(b + off)));
    }
  } else if (as == 1 && bs == 0) {
    const yb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, binVec(op, v128.load(a + off), yb));
    }
  }
  // Tail (and the generic strided case, where i is still 0).
  for (; i < n; i++) {
    const x = load<f32>(a + ((<usize>(i * as)) << 2));
    const y = load<f32>(b + ((<usize>(i * bs)) << 2));
    store<f32>(out + (<usize>i << 2), binScalar(op, x, y));
  }
}

// The outer three loop dimensions, shared by both twins; `simd` is a compile-time constant after inlining.
@inline function binaryLoops(
  simd: bool, op: i32, out: usize, a: usize, b: usize,
  n0: i32, n1: i32, n2: i32, n3: i32,
  as0: i32, as1: i32, as2: i32, as3: i32,
  bs0: i32, bs1: i32, bs2: i32, bs3: i32,
): void {
  let o = out;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const pa = a + ((<usize>(i0 * as0 + i1 * as1 + i2 * as2)) << 2);
        const pb = b + ((<usize>(i0 * bs0 + i1 * bs1 + i2 * bs2)) << 2);
        if (ASC_FEATURE_SIMD && simd) binRowVec(op, o, pa, pb, n3, as3, bs3);
        else binRowScalar(op, o, pa, pb, n3, as3, bs3);
        o += <usize>n3 << 2;
      }
    }
  }
}

/**
 * out (n0,n1,n2,n3) contiguous = a op b, where a and b are read with element strides (0 = broadcast).
 * op: 0 add, 1 sub, 2 mul, 3 div, 4 maximum. `out` may alias `a` when a has out's layout (in-place ops).
 */
export function binary_fwd_f32x4(
  out: usize, a: usize, b: usize, op: i32,
  n0: i32, n1: i32, n2: i32, n3: i32,
  as0: i32, as1: i32, as2: i32, as3: i32,
  bs0: i32, bs1: i32, bs2: i32, bs3: i32,
): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  // Dispatch once on op so that each loop nest is specialised (the op tests fold away after inlining).
  if (op == ADD) binaryLoops(true, ADD, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == SUB) binaryLoops(true, SUB, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == MUL) binaryLoops(true, MUL, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == DIV) binaryLoops(true, DIV, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else binaryLoops(true, MAXIMUM, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
}

export function binary_fwd_scalar(
  out: usize, a: usize, b: usize, op: i32,
  n0: i32, n1: i32, n2: i32, n3: i32,
  as0: i32, as1: i32, as2: i32, as3: i32,
  bs0: i32, bs1: i32, bs2: i32, bs3: i32,
): void {
  if (op == ADD) binaryLoops(false, ADD, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == SUB) binaryLoops(false, SUB, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == MUL) binaryLoops(false, MUL, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else if (op == DIV) binaryLoops(false, DIV, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
  else binaryLoops(false, MAXIMUM, out, a, b, n0, n1, n2, n3, as0, as1, as2, as3, bs0, bs1, bs2, bs3);
}

/**
 * out (n0,n1,n2,n3) contiguous = a read with element strides: transposes, permutes and broadcasts
 * (stride 0) all become this one gather. `accumulate` 1 adds into out instead of overwriting.
 */
export function strided_copy_scalar(
  out: usize, a: usize, accumulate: i32,
  n0: i32, n1: i32, n2: i32, n3: i32,
  s0: i32, s1: i32, s2: i32, s3: i32,
): void {
  let o = out;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const row = a + ((<usize>(i0 * s0 + i1 * s1 + i2 * s2)) << 2);
        for (let i3 = 0; i3 < n3; i3++) {
          const v = load<f32>(row + ((<usize>(i3 * s3)) << 2));
          store<f32>(o, accumulate ? load<f32>(o) + v : v);
          o += 4;
        }
      }
    }
  }
}
