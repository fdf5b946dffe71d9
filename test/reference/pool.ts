// Naive reference pooling, written from /work/shared/SEMANTICS.md (PyTorch's rules), independent of the
// AssemblyScript kernels: plain loops over every output and every window position, f64 sums.
//
// All tensors are flat (P, H, W) / (P, OH, OW) arrays of numbers; P = N*C planes.

export interface RefPoolGeometry {
  P: number; H: number; W: number; OH: number; OW: number;
  KH: number; KW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/**
 * PyTorch's pooling output size along one axis:
 * floor((L + 2p - d(k-1) - 1 + (ceil ? s-1 : 0)) / s) + 1, then with ceil mode drop the last window if it
 * would start at or past L + p (it must start inside the input or the left padding).
 */
export function poolOutSize(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = L + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let out = Math.floor(num / s) + 1;
  if (ceil && (out - 1) * s >= L + p) out -= 1;
  return out;
}

/** Builds a geometry from PyTorch-style options (dilation defaults to 1). */
export function geometry(
  P: number, H: number, W: number,
  k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceil: boolean,
): RefPoolGeometry {
  return {
    P, H, W,
    OH: poolOutSize(H, k[0], s[0], p[0], d[0], ceil),
    OW: poolOutSize(W, k[1], s[1], p[1], d[1], ceil),
    KH: k[0], KW: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1],
  };
}

/** Window positions (in-bounds only) of a max-pool window along one axis, in scan order. */
function maxAxis(o: number, s: number, p: number, k: number, d: number, L: number): { first: number; pos: number[] } {
  let start = o * s - p;
  const end = Math.min(start + d * (k - 1) + 1, L);
  while (start < 0) start += d;
  const pos: number[] = [];
  for (let i = start; i < end; i += d) pos.push(i);
  return { first: start, pos };
}

/** Max pooling forward: values and per-plane indices with PyTorch's tie (first), NaN (last NaN) rules. */
export function refMaxPoolFwd(x: ArrayLike<number>, g: RefPoolGeometry): { y: number[]; idx: number[] } {
  const y: number[] = [];
  const idx: number[] = [];
  for (let p = 0; p < g.P; p++) {
    for (let oh = 0; oh < g.OH; oh++) {
      const rows = maxAxis(oh, g.sh, g.ph, g.KH, g.dh, g.H);
      for (let ow = 0; ow < g.OW; ow++) {
        const cols = maxAxis(ow, g.sw, g.pw, g.KW, g.dw, g.W);
        let best = -Infinity;
        let bestIdx = rows.first * g.W + cols.first;
        for (const ih of rows.pos) {
          for (const iw of cols.pos) {
            const v = x[p * g.H * g.W + ih * g.W + iw];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIdx = ih * g.W + iw;
            }
          }
        }
        y.push(best);
        idx.push(bestIdx);
      }
    }
  }
  return { y, idx };
}

/** Max pooling backward: returns gx0 + scatter of gy at the indices (indices outside the plane dropped). */
export function refMaxPoolBwd(
  gx0: ArrayLike<number>, gy: ArrayLike<number>, idx: ArrayLike<number>, g: RefPoolGeometry,
): number[] {
  const gx = Array.from(gx0);
  const HW = g.H * g.W;
  const OHW = g.OH * g.OW;
  for (let p = 0; p < g.P; p++) {
    for (let j = 0; j < OHW; j++) {
      const i = idx[p * OHW + j];
      if (i >= 0 && i < HW) gx[p * HW + i] += gy[p * OHW + j];
    }
  }
  return gx;
}

interface AvgWindow { h0: number; h1: number; w0: number; w1: number; divisor: number; empty: boolean }

function avgWindow(
  oh: number, ow: number, g: RefPoolGeometry, countIncludePad: boolean, divisorOverride: number | null,
): AvgWindow {
  let hs = oh * g.sh - g.ph;
  let he = Math.min(hs + g.KH, g.H + g.ph);
  let ws = ow * g.sw - g.pw;
  let we = Math.min(ws + g.KW, g.W + g.pw);
  const poolSize = (he - hs) * (we - ws);
  hs = Math.max(hs, 0);
  ws = Math.max(ws, 0);
  he = Math.min(he, g.H);
  we = Math.min(we, g.W);
  const empty = hs >= he || ws >= we;
  const divisor = divisorOverride ? divisorOverride : countIncludePad ? poolSize : (he - hs) * (we - ws);
  return { h0: hs, h1: he, w0: ws, w1: we, divisor, empty };
}

/** Average pooling forward (f64 sums). */
export function refAvgPoolFwd(
  x: ArrayLike<number>, g: RefPoolGeometry, countIncludePad: boolean, divisorOverride: number | null,
): number[] {
  const y: number[] = [];
  for (let p = 0; p < g.P; p++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const w = avgWindow(oh, ow, g, countIncludePad, divisorOverride);
        if (w.empty) {
          y.push(0);
          continue;
        }
        let s = 0;
        for (let ih = w.h0; ih < w.h1; ih++) {
          for (let iw = w.w0; iw < w.w1; iw++) s += x[p * g.H * g.W + ih * g.W + iw];
        }
        y.push(s / w.divisor);
      }
    }
  }
  return y;
}

/** Average pooling backward: gx0 + gy/divisor on every in-bounds element of each window. */
export function refAvgPoolBwd(
  gx0: ArrayLike<number>, gy: ArrayLike<number>, g: RefPoolGeometry,
  countIncludePad: boolean, divisorOverride: number | null,
): number[] {
  const gx = Array.from(gx0);
  for (let p = 0; p < g.P; p++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const w = avgWindow(oh, ow, g, countIncludePad, divisorOverride);
        if (w.empty) continue;
        const d = gy[(p * g.OH + oh) * g.OW + ow] / w.divisor;
        for (let ih = w.h0; ih < w.h1; ih++) {
          for (let iw = w.w0; iw < w.w1; iw++) gx[p * g.H * g.W + ih * g.W + iw] += d;
        }
      }
    }
  }
  return gx;
}
