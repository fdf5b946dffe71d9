// Small helpers shared by the bench: seeded data, layout changes, result comparison and statistics.

/** A seeded PRNG (mulberry32): the same data for every contender and every run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [-scale, scale). */
export function uniform(n, seed, scale = 1) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * r() - 1) * scale;
  return out;
}

/** NCHW -> NHWC (also (O,C,KH,KW) -> (O,KH,KW,C) when used on weights; see ockkToKkco for tfjs filters). */
export function nchwToNhwc(a, N, C, H, W) {
  const out = new Float32Array(a.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) out[((n * H + h) * W + w) * C + c] = a[((n * C + c) * H + h) * W + w];
  return out;
}

export function nhwcToNchw(a, N, C, H, W) {
  const out = new Float32Array(a.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) out[((n * C + c) * H + h) * W + w] = a[((n * H + h) * W + w) * C + c];
  return out;
}

/** PyTorch weight (A, B, KH, KW) -> tfjs filter (KH, KW, B, A). conv2d: A = out, B = in; conv_transpose2d: A = in, B = out. */
export function abkkToKkba(a, A, B, KH, KW) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < A; i++)
    for (let j = 0; j < B; j++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) out[((kh * KW + kw) * B + j) * A + i] = a[((i * B + j) * KH + kh) * KW + kw];
  return out;
}

/** Inverse of abkkToKkba. */
export function kkbaToAbkk(a, A, B, KH, KW) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < A; i++)
    for (let j = 0; j < B; j++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) out[((i * B + j) * KH + kh) * KW + kw] = a[((kh * KW + kw) * B + j) * A + i];
  return out;
}

/**
 * Compares a result with the reference. Passes when max |got - ref| <= tol * max(1e-6, max |ref|)
 * (relative to the largest reference value, so that near-zero entries of a large sum do not fail).
 */
export function compare(got, ref, tol = 1e-3) {
  if (!got) return { ok: false, reason: "no result" };
  if (Array.isArray(ref)) {
    // Segments (e.g. a loss and each parameter's gradient), each checked relative to its own largest value.
    if (!Array.isArray(got) || got.length !== ref.length) return { ok: false, reason: `expected ${ref.length} segments` };
    const parts = ref.map((r, i) => ({ i, ...compare(got[i], r, tol) }));
    const worst = parts.reduce((a, b) => (!b.ok && a.ok) || b.relErr > a.relErr ? b : a);
    return { ...worst, ok: parts.every((p) => p.ok), reason: worst.ok ? "" : `segment ${worst.i}: ${worst.reason}` };
  }
  if (got.length !== ref.length) return { ok: false, reason: `length ${got.length}, reference ${ref.length}` };
  let maxDiff = 0, maxRef = 0, worst = -1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= maxDiff)) { maxDiff = d; worst = i; } // also catches NaN
    const r = Math.abs(ref[i]);
    if (r > maxRef) maxRef = r;
  }
  const limit = tol * Math.max(1e-6, maxRef);
  const rel = maxDiff / Math.max(1e-6, maxRef);
  const ok = rel <= tol;
  let bad = 0;
  if (!ok) for (let i = 0; i < ref.length; i++) if (!(Math.abs(got[i] - ref[i]) <= limit)) bad++;
  return {
    ok, maxAbsDiff: maxDiff, maxAbsRef: maxRef, relErr: rel, badElements: bad,
    reason: ok ? "" : `${bad} of ${ref.length} elements off; max |diff| ${maxDiff.toExponential(3)} at ${worst} ` +
      `(got ${got[worst]}, ref ${ref[worst]}), relative ${rel.toExponential(3)} > ${tol}`,
  };
}

/** Order statistics of a list of per-call times (ms). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => {
    if (s.length === 1) return s[0];
    const i = p * (s.length - 1), lo = Math.floor(i), hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], q1: q(0.25), q3: q(0.75) };
}

/** Concatenates Float32Arrays. */
export function concat(arrays) {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) { out.set(a, o); o += a.length; }
  return out;
}

/**
 * What a LeNet step is checked on: segments [loss], then the gradient of every parameter, recovered from one SGD
 * step as (before - after) / lr, so that the check covers forward, loss, backward and the update.
 */
export function stepResult(loss, before, after, lr) {
  return [new Float32Array([loss]), ...before.map((b, i) => b.map((v, k) => (v - after[i][k]) / lr))];
}
