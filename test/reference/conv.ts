// Naive references for conv2d, conv_transpose2d and matmul, straight from the formulas of SEMANTICS.md, with
// f64 accumulation. Independent of the AssemblyScript kernels: each pass is written from its own definition
// (conv2d as a gather, conv_transpose2d as the scatter y[.., i*s - p + u*d, ..] += x*W), not derived from the
// other.

/** Sizes of one convolution, as in src/kernels/conv.ts. */
export interface Geom {
  N: number; C: number; H: number; W: number; O: number; KH: number; KW: number; OH: number; OW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; G: number;
}

/** conv2d output size: floor((H + 2p - d(k-1) - 1)/s) + 1 (may be < 1: invalid geometry). */
export function convOutSize(H: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((H + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** conv_transpose2d output size: (H-1)s - 2p + d(k-1) + op + 1. */
export function convTransposeOutSize(H: number, k: number, s: number, p: number, d: number, op: number): number {
  return (H - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

type Arr = ArrayLike<number>;

// ------------------------------------------------------------------------------------------- conv2d

/** y[n,o,i,j] = b[o] + sum_{c in group(o),u,v} W[o,c',u,v] * x̃[n,c,i*sh+u*dh-ph, j*sw+v*dw-pw]. */
export function refConv2dFwd(x: Arr, w: Arr, b: Arr | null, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    const grp = Math.floor(o / Og);
    for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
      let s = b ? b[o] : 0;
      for (let cc = 0; cc < Cg; cc++) {
        const c = grp * Cg + cc;
        for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
          const ih = i * sh + u * dh - ph, iw = j * sw + v * dw - pw;
          if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
          s += w[((o * Cg + cc) * KH + u) * KW + v] * x[((n * C + c) * H + ih) * W + iw];
        }
      }
      y[((n * O + o) * OH + i) * OW + j] = s;
    }
  }
  return y;
}

/** gx[n,c,h,w] = sum over (o,i,j,u,v) with i*sh+u*dh-ph = h, j*sw+v*dw-pw = w of gy[n,o,i,j] * W[o,c',u,v]. */
export function refConv2dBwdInput(gy: Arr, w: Arr, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const gx = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / Cg), cc = c - grp * Cg;
    for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) {
      let s = 0;
      for (let oo = 0; oo < Og; oo++) {
        const o = grp * Og + oo;
        for (let u = 0; u < KH; u++) {
          const ti = h + ph - u * dh;
          if (ti < 0 || ti % sh !== 0 || ti / sh >= OH) continue;
          const i = ti / sh;
          for (let v = 0; v < KW; v++) {
            const tj = x + pw - v * dw;
            if (tj < 0 || tj % sw !== 0 || tj / sw >= OW) continue;
            s += gy[((n * O + o) * OH + i) * OW + tj / sw] * w[((o * Cg + cc) * KH + u) * KW + v];
          }
        }
      }
      gx[((n * C + c) * H + h) * W + x] = s;
    }
  }
  return gx;
}

/** gW[o,c',u,v] = sum_{n,i,j} gy[n,o,i,j] * x̃[n,c,i*sh+u*dh-ph, j*sw+v*dw-pw]. */
export function refConv2dBwdFilter(gy: Arr, x: Arr, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const gw = new Float64Array(O * Cg * KH * KW);
  for (let o = 0; o < O; o++) for (let cc = 0; cc < Cg; cc++) {
    const c = Math.floor(o / Og) * Cg + cc;
    for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
        const ih = i * sh + u * dh - ph, iw = j * sw + v * dw - pw;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        s += gy[((n * O + o) * OH + i) * OW + j] * x[((n * C + c) * H + ih) * W + iw];
      }
      gw[((o * Cg + cc) * KH + u) * KW + v] = s;
    }
  }
  return gw;
}

/** gb[o] = sum_{n,p} gy[n,o,p]. */
export function refBiasGrad(gy: Arr, N: number, O: number, P: number): Float64Array {
  const gb = new Float64Array(O);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let p = 0; p < P; p++) gb[o] += gy[(n * O + o) * P + p];
  return gb;
}

// ------------------------------------------------------------------------------------------- conv_transpose2d
// x (N,C,H,W), W (C, O/G, KH, KW), y (N,O,OH,OW).

/** y[n,o,i*sh-ph+u*dh, j*sw-pw+v*dw] += x[n,c,i,j] * W[c,o',u,v] (inside [0,OH) x [0,OW)), plus b[o]. */
export function refConvT2dFwd(x: Arr, w: Arr, b: Arr | null, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const y = new Float64Array(N * O * OH * OW);
  if (b) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) y.fill(b[o], (n * O + o) * OH * OW, (n * O + o + 1) * OH * OW);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / Cg);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      const xv = x[((n * C + c) * H + i) * W + j];
      for (let oo = 0; oo < Og; oo++) {
        const o = grp * Og + oo;
        for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
          const r = i * sh - ph + u * dh, q = j * sw - pw + v * dw;
          if (r < 0 || r >= OH || q < 0 || q >= OW) continue;
          y[((n * O + o) * OH + r) * OW + q] += xv * w[((c * Og + oo) * KH + u) * KW + v];
        }
      }
    }
  }
  return y;
}

/** gx[n,c,i,j] = sum_{o',u,v} gy[n,o,i*sh-ph+u*dh, j*sw-pw+v*dw] * W[c,o',u,v] (the adjoint of the scatter). */
export function refConvT2dBwdInput(gy: Arr, w: Arr, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const gx = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / Cg);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      let s = 0;
      for (let oo = 0; oo < Og; oo++) {
        const o = grp * Og + oo;
        for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
          const r = i * sh - ph + u * dh, q = j * sw - pw + v * dw;
          if (r < 0 || r >= OH || q < 0 || q >= OW) continue;
          s += gy[((n * O + o) * OH + r) * OW + q] * w[((c * Og + oo) * KH + u) * KW + v];
        }
      }
      gx[((n * C + c) * H + i) * W + j] = s;
    }
  }
  return gx;
}

/** gW[c,o',u,v] = sum_{n,i,j} x[n,c,i,j] * gy[n,o,i*sh-ph+u*dh, j*sw-pw+v*dw]. */
export function refConvT2dBwdFilter(gy: Arr, x: Arr, g: Geom): Float64Array {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  const Cg = C / G, Og = O / G;
  const gw = new Float64Array(C * Og * KH * KW);
  for (let c = 0; c < C; c++) for (let oo = 0; oo < Og; oo++) {
    const o = Math.floor(c / Cg) * Og + oo;
    for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
        const r = i * sh - ph + u * dh, q = j * sw - pw + v * dw;
        if (r < 0 || r >= OH || q < 0 || q >= OW) continue;
        s += x[((n * C + c) * H + i) * W + j] * gy[((n * O + o) * OH + r) * OW + q];
      }
      gw[((c * Og + oo) * KH + u) * KW + v] = s;
    }
  }
  return gw;
}

// ------------------------------------------------------------------------------------------- matmul

/** op(a) @ op(b): a (M,K) or (K,M) if transA; b (K,N) or (N,K) if transB. */
export function refMatmul(a: Arr, b: Arr, M: number, K: number, N: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[transA ? k * M + i : i * K + k] * b[transB ? j * K + k : k * N + j];
    c[i * N + j] = s;
  }
  return c;
}

// ------------------------------------------------------------------------------------------- test data helpers

/** A small deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-1, 1), rounded to f32. */
export function randArray(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
  return a;
}

/**
 * The first element where |got - want| > tol * (1 + |want|) (NaN must match NaN, infinities exactly), as a
 * message, or null when all match.
 */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): string | null {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= tol * (1 + Math.abs(w));
    if (!ok) return `[${i}]: got ${g}, want ${w}`;
  }
  return null;
}
