// The notebook's loops, ported plainly to JavaScript: naive nested loops over Float32Array, NCHW, PyTorch
// layouts, sums in JS numbers (f64). No blocking, no im2col, no unrolling. These are the reference results.
// g is a geometry from workloads.mjs: N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, G (dilation 1).

/** corr2d generalised to batches, channels, groups, stride and zero padding: y (N,O,OH,OW). */
export function conv2d(x, w, b, g) {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, G } = g;
  const cg = C / G, og = O / G;
  const y = new Float32Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = Math.floor(o / og) * cg;
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let s = b ? b[o] : 0;
          for (let c = 0; c < cg; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const ih = i * sh - ph + kh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = j * sw - pw + kw;
                if (iw < 0 || iw >= W) continue;
                s += x[((n * C + c0 + c) * H + ih) * W + iw] * w[((o * cg + c) * KH + kh) * KW + kw];
              }
            }
          }
          y[((n * O + o) * OH + i) * OW + j] = s;
        }
      }
    }
  }
  return y;
}

/** Input gradient of conv2d: every gy element spreads over its window (the notebook's trans_conv loop). */
export function conv2dBwdInput(gy, w, g) {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, G } = g;
  const cg = C / G, og = O / G;
  const gx = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = Math.floor(o / og) * cg;
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          const d = gy[((n * O + o) * OH + i) * OW + j];
          for (let c = 0; c < cg; c++) {
            for (let kh = 0; kh < KH; kh++) {
              const ih = i * sh - ph + kh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = j * sw - pw + kw;
                if (iw < 0 || iw >= W) continue;
                gx[((n * C + c0 + c) * H + ih) * W + iw] += d * w[((o * cg + c) * KH + kh) * KW + kw];
              }
            }
          }
        }
      }
    }
  }
  return Float32Array.from(gx);
}

/** Weight gradient of conv2d: gw[o,c,kh,kw] = sum over n, i, j of gy[n,o,i,j] * x[n,c,i*s-p+kh,j*s-p+kw]. */
export function conv2dBwdFilter(gy, x, g) {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, G } = g;
  const cg = C / G, og = O / G;
  const gw = new Float32Array(O * cg * KH * KW);
  for (let o = 0; o < O; o++) {
    const c0 = Math.floor(o / og) * cg;
    for (let c = 0; c < cg; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          let s = 0;
          for (let n = 0; n < N; n++) {
            for (let i = 0; i < OH; i++) {
              const ih = i * sh - ph + kh;
              if (ih < 0 || ih >= H) continue;
              for (let j = 0; j < OW; j++) {
                const iw = j * sw - pw + kw;
                if (iw < 0 || iw >= W) continue;
                s += gy[((n * O + o) * OH + i) * OW + j] * x[((n * C + c0 + c) * H + ih) * W + iw];
              }
            }
          }
          gw[((o * cg + c) * KH + kh) * KW + kw] = s;
        }
      }
    }
  }
  return gw;
}

/** The notebook's trans_conv with channels, stride and padding: Y[i*s-p : i*s-p+k, ...] += X[i, j] * K. w (C,O,KH,KW). */
export function convTranspose2d(x, w, g) {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, G } = g;
  const cg = C / G, og = O / G;
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const o0 = Math.floor(c / cg) * og;
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          const v = x[((n * C + c) * H + i) * W + j];
          for (let o = 0; o < og; o++) {
            for (let kh = 0; kh < KH; kh++) {
              const oh = i * sh - ph + kh;
              if (oh < 0 || oh >= OH) continue;
              for (let kw = 0; kw < KW; kw++) {
                const ow = j * sw - pw + kw;
                if (ow < 0 || ow >= OW) continue;
                y[((n * O + o0 + o) * OH + oh) * OW + ow] += v * w[((c * og + o) * KH + kh) * KW + kw];
              }
            }
          }
        }
      }
    }
  }
  return Float32Array.from(y);
}

/** The notebook's pool2d (mode 'max') with padding and stride; also returns the argmax (ih*W+iw, first max). */
export function maxPool2d(x, g) {
  const { N, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw } = g;
  const P = N * C;
  const y = new Float32Array(P * OH * OW);
  const idx = new Int32Array(P * OH * OW);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        let m = -Infinity, at = -1;
        for (let kh = 0; kh < KH; kh++) {
          const ih = i * sh - ph + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = j * sw - pw + kw;
            if (iw < 0 || iw >= W) continue;
            const v = x[(p * H + ih) * W + iw];
            if (v > m || at < 0) { m = v; at = ih * W + iw; }
          }
        }
        y[(p * OH + i) * OW + j] = m;
        idx[(p * OH + i) * OW + j] = at;
      }
    }
  }
  return { y, idx };
}

/** Max pooling backward: each gy element goes to its window's argmax. */
export function maxPool2dBwd(gy, idx, g) {
  const { N, C, H, W, OH, OW } = g;
  const P = N * C;
  const gx = new Float32Array(P * H * W);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < OH * OW; k++) gx[p * H * W + idx[p * OH * OW + k]] += gy[p * OH * OW + k];
  }
  return gx;
}

/** PyTorch's divisor with countIncludePad = true: the window clipped to the padded input. */
function divisor(i, j, g) {
  const hs = i * g.sh - g.ph, ws = j * g.sw - g.pw;
  return (Math.min(hs + g.KH, g.H + g.ph) - hs) * (Math.min(ws + g.KW, g.W + g.pw) - ws);
}

/** The notebook's pool2d (mode 'avg') with padding and stride. */
export function avgPool2d(x, g) {
  const { N, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw } = g;
  const P = N * C;
  const y = new Float32Array(P * OH * OW);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        let s = 0;
        for (let kh = 0; kh < KH; kh++) {
          const ih = i * sh - ph + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = j * sw - pw + kw;
            if (iw < 0 || iw >= W) continue;
            s += x[(p * H + ih) * W + iw];
          }
        }
        y[(p * OH + i) * OW + j] = s / divisor(i, j, g);
      }
    }
  }
  return y;
}

/** Average pooling backward: each gy element spread evenly over its window. */
export function avgPool2dBwd(gy, g) {
  const { N, C, H, W, KH, KW, OH, OW, sh, sw, ph, pw } = g;
  const P = N * C;
  const gx = new Float32Array(P * H * W);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        const d = gy[(p * OH + i) * OW + j] / divisor(i, j, g);
        for (let kh = 0; kh < KH; kh++) {
          const ih = i * sh - ph + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = j * sw - pw + kw;
            if (iw < 0 || iw >= W) continue;
            gx[(p * H + ih) * W + iw] += d;
          }
        }
      }
    }
  }
  return gx;
}

/** Fully connected layer: y (B,out) = x (B,in) @ w (out,in)^T + b. */
export function linear(x, w, b, B, nin, nout) {
  const y = new Float32Array(B * nout);
  for (let n = 0; n < B; n++) {
    for (let o = 0; o < nout; o++) {
      let s = b[o];
      for (let i = 0; i < nin; i++) s += x[n * nin + i] * w[o * nin + i];
      y[n * nout + o] = s;
    }
  }
  return y;
}

/** Gradients of linear: gx (B,in), gw (out,in), gb (out). */
export function linearBwd(gy, x, w, B, nin, nout) {
  const gx = new Float32Array(B * nin), gw = new Float32Array(nout * nin), gb = new Float32Array(nout);
  for (let n = 0; n < B; n++) {
    for (let o = 0; o < nout; o++) {
      const d = gy[n * nout + o];
      gb[o] += d;
      for (let i = 0; i < nin; i++) {
        gx[n * nin + i] += d * w[o * nin + i];
        gw[o * nin + i] += d * x[n * nin + i];
      }
    }
  }
  return { gx, gw, gb };
}

/** Bias gradient of a convolution: sum of gy over n and positions. */
export function convBiasGrad(gy, N, O, P) {
  const gb = new Float32Array(O);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let k = 0; k < P; k++) gb[o] += gy[(n * O + o) * P + k];
  return gb;
}
