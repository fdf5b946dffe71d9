// Reductions, gathers and casts.

/**
 * out (outer, inner) = sum over r of a (outer, R, inner). Covers a full sum (outer = inner = 1) and a sum
 * over any one dimension of a contiguous tensor.
 */
export function sum_fwd_scalar(out: usize, a: usize, outer: i32, R: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    const src = a + ((<usize>o * <usize>R * <usize>inner) << 2);
    const dst = out + ((<usize>o * <usize>inner) << 2);
    for (let i = 0; i < inner; i++) {
      let acc: f32 = 0;
      for (let r = 0; r < R; r++) acc += load<f32>(src + ((<usize>(r * inner + i)) << 2));
      store<f32>(dst + (<usize>i << 2), acc);
    }
  }
}

export function sum_fwd_f32x4(out: usize, a: usize, outer: i32, R: i32, inner: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  for (let o = 0; o < outer; o++) {
    const src = a + ((<usize>o * <usize>R * <usize>inner) << 2);
    const dst = out + ((<usize>o * <usize>inner) << 2);
    if (inner == 1) {
      // Reduce a contiguous run: four independent accumulators hide the add latency.
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      let r = 0;
      for (; r + 16 <= R; r += 16) {
        const p = src + (<usize>r << 2);
        acc0 = f32x4.add(acc0, v128.load(p, 0));
        acc1 = f32x4.add(acc1, v128.load(p, 16));
        acc2 = f32x4.add(acc2, v128.load(p, 32));
        acc3 = f32x4.add(acc3, v128.load(p, 48));
      }
      for (; r + 4 <= R; r += 4) acc0 = f32x4.add(acc0, v128.load(src + (<usize>r << 2)));
      const acc = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
      let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) +
              (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; r < R; r++) s += load<f32>(src + (<usize>r << 2));
      store<f32>(dst, s);
    } else {
      // Sum rows of length `inner` into the output row, four columns at a time.
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        let acc = f32x4.splat(0);
        for (let r = 0; r < R; r++) acc = f32x4.add(acc, v128.load(src + ((<usize>(r * inner + i)) << 2)));
        v128.store(dst + (<usize>i << 2), acc);
      }
      for (; i < inner; i++) {
        let acc: f32 = 0;
        for (let r = 0; r < R; r++) acc += load<f32>(src + ((<usize>(r * inner + i)) << 2));
        store<f32>(dst + (<usize>i << 2), acc);
      }
    }
  }
}

/** out (1) = max of a (n), NaN if any element is NaN (PyTorch's max()). n >= 1. */
export function max_all_fwd_scalar(out: usize, a: usize, n: i32): void {
  let m = load<f32>(a);
  for (let i = 1; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (v > m || isNaN(v)) m = v;
    if (isNaN(m)) break;
  }
  store<f32>(out, m);
}

/**
 * ga (n) += gout[0] / count on every element equal to the max `m` (or every NaN when m is NaN): PyTorch
 * spreads the gradient of a full max evenly over ties.
 */
export function max_all_bwd_scalar(ga: usize, gout: usize, a: usize, n: i32, m: f32): void {
  const nan = isNaN(m);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (nan ? isNaN(v) : v == m) count++;
  }
  const g = load<f32>(gout) / <f32>count;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(a + off);
    if (nan ? isNaN(v) : v == m) store<f32>(ga + off, load<f32>(ga + off) + g);
  }
}

/** out (n) = a[idx[i]], or 0 where idx[i] < 0 (zero padding). idx (n) i32. */
export function gather_fwd_scalar(out: usize, a: usize, idx: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const j = load<i32>(idx + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), j < 0 ? <f32>0 : load<f32>(a + (<usize>j << 2)));
  }
}

/** ga[idx[i]] += gout[i] for idx[i] >= 0: the adjoint of gather_fwd. */
export function gather_bwd_scalar(ga: usize, gout: usize, idx: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const j = load<i32>(idx + (<usize>i << 2));
    if (j >= 0) {
      const p = ga + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + load<f32>(gout + (<usize>i << 2)));
    }
  }
}

/** out (n) f32 = a (n) i32. */
export function i32_to_f32_scalar(out: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>load<i32>(a + (<usize>i << 2)));
}

/** out (n) i32 = a (n) f32 truncated (class indices given as floats). */
export function f32_to_i32_scalar(out: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), <i32>load<f32>(a + (<usize>i << 2)));
}
