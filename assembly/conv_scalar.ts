// Direct-loop convolution passes for the scalar build (internal: wrapped by conv2d.ts / conv_transpose2d.ts).
//
// Straight from the definition, in the conv2d view (input (C, H, W), output (O, OH, OW), weight
// (O, C/G, KH, KW)): y[n,o,i,j] = sum_{c in group(o), u, v} w[o,c,u,v] * x̃[n, c, i*sh + u*dh - ph, j*sw + v*dw - pw].
// The loops run per kernel tap (c, u, v) over the output rows and columns whose input position is inside
// the plane (ranges computed up front, so padding terms are skipped and the inner loops have no tests).
// This is the fallback where SIMD is missing and the cross-check of the f32x4 twins.
import { first_valid, end_valid } from "./conv_im2col";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Forward: y = (acc ? y : 0) + bias + conv(x, w).
 *   y: (N, O, OH, OW)   x: (N, C, H, W)   w: (O, C/G, KH, KW)   b: (O) or 0
 */
export function conv_fwd_direct(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32, acc: bool,
): void {
  const Cg = C / G, Og = O / G, P = OH * OW;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = (o / Og) * Cg;
      const yp = at(y, (n * O + o) * P);
      const bias: f32 = b ? load<f32>(at(b, o)) : 0;
      for (let q = 0; q < P; q++) store<f32>(at(yp, q), acc ? load<f32>(at(yp, q)) + bias : bias);
      for (let c = 0; c < Cg; c++) {
        const xp = at(x, (n * C + c0 + c) * H * W);
        for (let u = 0; u < KH; u++) {
          const offh = u * dh - ph;
          const i0 = first_valid(offh, sh), i1 = min(OH, end_valid(offh, sh, H));
          for (let v = 0; v < KW; v++) {
            const wv = load<f32>(at(w, ((o * Cg + c) * KH + u) * KW + v));
            const offw = v * dw - pw;
            const j0 = first_valid(offw, sw), j1 = min(OW, end_valid(offw, sw, W));
            for (let i = i0; i < i1; i++) {
              const yr = at(yp, i * OW);
              const xr = at(xp, (i * sh + offh) * W + offw);
              for (let j = j0; j < j1; j++) {
                store<f32>(at(yr, j), load<f32>(at(yr, j)) + wv * load<f32>(at(xr, j * sw)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Input gradient: gx += the adjoint of conv applied to gy (scatter form).
 *   gx: (N, C, H, W)   gy: (N, O, OH, OW)   w: (O, C/G, KH, KW)
 */
export function conv_bwd_input_direct(
  gx: usize, gy: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  const Cg = C / G, Og = O / G;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = (o / Og) * Cg;
      const gp = at(gy, (n * O + o) * OH * OW);
      for (let c = 0; c < Cg; c++) {
        const xp = at(gx, (n * C + c0 + c) * H * W);
        for (let u = 0; u < KH; u++) {
          const offh = u * dh - ph;
          const i0 = first_valid(offh, sh), i1 = min(OH, end_valid(offh, sh, H));
          for (let v = 0; v < KW; v++) {
            const wv = load<f32>(at(w, ((o * Cg + c) * KH + u) * KW + v));
            const offw = v * dw - pw;
            const j0 = first_valid(offw, sw), j1 = min(OW, end_valid(offw, sw, W));
            for (let i = i0; i < i1; i++) {
              const gr = at(gp, i * OW);
              const xr = at(xp, (i * sh + offh) * W + offw);
              for (let j = j0; j < j1; j++) {
                const p = at(xr, j * sw);
                store<f32>(p, load<f32>(p) + wv * load<f32>(at(gr, j)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Weight gradient: gw[o,c,u,v] += sum_{n,i,j} gy[n,o,i,j] * x̃[n, c, i*sh + u*dh - ph, j*sw + v*dw - pw].
 *   gw: (O, C/G, KH, KW)   gy: (N, O, OH, OW)   x: (N, C, H, W)
 */
export function conv_bwd_filter_direct(
  gw: usize, gy: usize, x: usize,
  N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, G: i32,
): void {
  const Cg = C / G, Og = O / G;
  for (let o = 0; o < O; o++) {
    const c0 = (o / Og) * Cg;
    for (let c = 0; c < Cg; c++) {
      for (let u = 0; u < KH; u++) {
        const offh = u * dh - ph;
        const i0 = first_valid(offh, sh), i1 = min(OH, end_valid(offh, sh, H));
        for (let v = 0; v < KW; v++) {
          const offw = v * dw - pw;
          const j0 = first_valid(offw, sw), j1 = min(OW, end_valid(offw, sw, W));
          let s: f32 = 0;
          for (let n = 0; n < N; n++) {
            const xp = at(x, (n * C + c0 + c) * H * W);
            const gp = at(gy, (n * O + o) * OH * OW);
            for (let i = i0; i < i1; i++) {
              const gr = at(gp, i * OW);
              const xr = at(xp, (i * sh + offh) * W + offw);
              for (let j = j0; j < j1; j++) s += load<f32>(at(gr, j)) * load<f32>(at(xr, j * sw));
            }
          }
          const p = at(gw, ((o * Cg + c) * KH + u) * KW + v);
          store<f32>(p, load<f32>(p) + s);
        }
      }
    }
  }
}

/** y[n, o, :] = b[o] (b = 0: zeros).  y: (N, O, P)   b: (O) or 0 */
export function fill_bias_direct(y: usize, b: usize, N: i32, O: i32, P: i32): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const v: f32 = b ? load<f32>(at(b, o)) : 0;
      const row = at(y, (n * O + o) * P);
      for (let i = 0; i < P; i++) store<f32>(at(row, i), v);
    }
  }
}
