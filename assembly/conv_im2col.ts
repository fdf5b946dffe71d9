// im2col / col2im lines for the GEMM-based convolutions (internal: not re-exported by index.ts).
//
// For a convolution with input planes (H, W), output planes (OH, OW) and kernel tap (u, v), the im2col row of
// one input channel is the length-OH*OW vector col[p] = x̃[oh*sh + u*dh - ph, ow*sw + v*dw - pw] with
// p = oh*OW + ow and x̃ = 0 outside the plane. These helpers produce (or scatter-add back) a segment
// p0 .. p0+len-1 of such a row. The geometry is set once per kernel call with set_geometry; the row is
// walked one output row at a time, and within it the in-bounds range of ow is computed up front so that the
// inner loops have no bounds tests (stride 1 copies with f32x4).

// Geometry of the current call (module globals: cheap to read, no argument lists of 12 sizes).
let gH = 0, gW = 0, gOW = 0, gSH = 1, gSW = 1, gPH = 0, gPW = 0, gDH = 1, gDW = 1;

export function set_geometry(H: i32, W: i32, OW: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32): void {
  gH = H; gW = W; gOW = OW; gSH = sh; gSW = sw; gPH = ph; gPW = pw; gDH = dh; gDW = dw;
}

/** Fills n floats at dst with zeros. */
// @ts-ignore: decorator
@inline
function zero_f32(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** First output column ow >= 0 whose input column ow*sw + off is >= 0. */
// @ts-ignore: decorator
@inline
export function first_valid(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

/** One past the last output column whose input column ow*sw + off is < size (0 if none). */
// @ts-ignore: decorator
@inline
export function end_valid(off: i32, s: i32, size: i32): i32 {
  return size - 1 - off < 0 ? 0 : (size - 1 - off) / s + 1;
}

/**
 * dst[q] = col[p0 + q] for q < len, where col is the im2col row of tap (u, v) of the plane xp.
 *   dst: (len)   xp: (H, W) one input channel plane
 */
export function im2col_line(dst: usize, xp: usize, u: i32, v: i32, p0: i32, len: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const H = gH, W = gW, OW = gOW, sh = gSH, sw = gSW;
  const offh = u * gDH - gPH;
  const offw = v * gDW - gPW;
  const lo0 = first_valid(offw, sw);
  const hi0 = end_valid(offw, sw, W);
  let oh = p0 / OW;
  let ow = p0 - oh * OW;
  let q = 0;
  while (q < len) {
    const n = min(OW - ow, len - q);
    const d = dst + (<usize>q << 2);
    const ih = oh * sh + offh;
    if (ih < 0 || ih >= H) {
      zero_f32(d, n);
    } else {
      const end = ow + n;
      const lo = min(max(lo0, ow), end);
      const hi = max(min(hi0, end), lo);
      zero_f32(d, lo - ow);
      const dd = d + (<usize>(lo - ow) << 2);
      const row = xp + (<usize>(ih * W + lo * sw + offw) << 2);
      const cnt = hi - lo;
      if (sw == 1) {
        let i = 0;
        for (; i + 4 <= cnt; i += 4) v128.store(dd + (<usize>i << 2), v128.load(row + (<usize>i << 2)));
        for (; i < cnt; i++) store<f32>(dd + (<usize>i << 2), load<f32>(row + (<usize>i << 2)));
      } else {
        const step = <usize>sw << 2;
        let s = row;
        let i = 0;
        if (sw == 2) {
          // Four every-other floats from two overlapping loads (floats 0..3 and 3..6): lanes 0, 2 of the
          // first and 1, 3 of the second. Nothing past the last float used (6) is read.
          for (; i + 4 <= cnt; i += 4) {
            v128.store(dd + (<usize>i << 2), f32x4.shuffle(v128.load(s), v128.load(s, 12), 0, 2, 5, 7));
            s += 32;
          }
        }
        for (; i < cnt; i++) {
          store<f32>(dd + (<usize>i << 2), load<f32>(s));
          s += step;
        }
      }
      zero_f32(d + (<usize>(hi - ow) << 2), end - hi);
    }
    q += n;
    ow = 0;
    oh++;
  }
}

// Address of element q of a row that is spread over 8-wide GEMM panels (panel stride bps bytes).
// @ts-ignore: decorator
@inline
function panel_at(dst: usize, bps: usize, q: i32): usize {
  return dst + <usize>(q >> 3) * bps + (<usize>(q & 7) << 2);
}

/** Zeros elements q0 .. q1-1 of a panel-spread row. */
function panel_zero(dst: usize, bps: usize, q0: i32, q1: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  let q = q0;
  while (q < q1) {
    const lane = q & 7;
    const m = min(8 - lane, q1 - q);
    const d = panel_at(dst, bps, q);
    if (m == 8) {
      v128.store(d, f32x4.splat(0));
      v128.store(d, f32x4.splat(0), 16);
    } else {
      for (let i = 0; i < m; i++) store<f32>(d + (<usize>i << 2), 0);
    }
    q += m;
  }
}

/** Copies src[0], src[step], ... into elements q0 .. q1-1 of a panel-spread row (step in bytes). */
function panel_copy(dst: usize, bps: usize, q0: i32, q1: i32, src: usize, step: usize): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  let q = q0;
  while (q < q1) {
    const lane = q & 7;
    const m = min(8 - lane, q1 - q);
    const d = panel_at(dst, bps, q);
    if (step == 4 && m == 8) {
      v128.store(d, v128.load(src));
      v128.store(d, v128.load(src, 16), 16);
    } else if (step == 8 && m == 8) { // stride 2: every other float, as in im2col_line (floats 0..14 read)
      v128.store(d, f32x4.shuffle(v128.load(src), v128.load(src, 12), 0, 2, 5, 7));
      v128.store(d, f32x4.shuffle(v128.load(src, 32), v128.load(src, 44), 0, 2, 5, 7), 16);
    } else if (step == 4 && m >= 4) {
      v128.store(d, v128.load(src));
      for (let i = 4; i < m; i++) store<f32>(d + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
    } else {
      for (let i = 0; i < m; i++) store<f32>(d + (<usize>i << 2), load<f32>(src + <usize>i * step));
    }
    src += <usize>m * step;
    q += m;
  }
}

/**
 * Like im2col_line, but element q goes straight into GEMM panel layout: to dst + (q/8)*bps + (q%8)*4, i.e.
 * row k of a packed B block when dst points at that row in panel 0. Elements len .. (multiple of 8) - 1 are
 * zeroed (the panel padding).
 *   dst: packed (ceil(len/8), ., 8) with panel stride bps bytes   xp: (H, W) one input channel plane
 */
export function im2col_panels(dst: usize, bps: usize, xp: usize, u: i32, v: i32, p0: i32, len: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const H = gH, W = gW, OW = gOW, sh = gSH, sw = gSW;
  const offh = u * gDH - gPH;
  const offw = v * gDW - gPW;
  const lo0 = first_valid(offw, sw);
  const hi0 = end_valid(offw, sw, W);
  const step = <usize>sw << 2;
  let oh = p0 / OW;
  let ow = p0 - oh * OW;
  let q = 0;
  while (q < len) {
    const n = min(OW - ow, len - q);
    const ih = oh * sh + offh;
    if (ih < 0 || ih >= H) {
      panel_zero(dst, bps, q, q + n);
    } else {
      const end = ow + n;
      const lo = min(max(lo0, ow), end);
      const hi = max(min(hi0, end), lo);
      panel_zero(dst, bps, q, q + lo - ow);
      panel_copy(dst, bps, q + lo - ow, q + hi - ow, xp + (<usize>(ih * W + lo * sw + offw) << 2), step);
      panel_zero(dst, bps, q + hi - ow, q + n);
    }
    q += n;
    ow = 0;
    oh++;
  }
  panel_zero(dst, bps, len, (len + 7) & ~7);
}

/**
 * The adjoint of im2col_line: plane[...] += src[q] for every in-bounds position of col[p0 + q], q < len.
 *   src: (len)   xp: (H, W) one input-gradient channel plane, accumulated
 */
export function col2im_line_add(xp: usize, src: usize, u: i32, v: i32, p0: i32, len: i32): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  const H = gH, W = gW, OW = gOW, sh = gSH, sw = gSW;
  const offh = u * gDH - gPH;
  const offw = v * gDW - gPW;
  const lo0 = first_valid(offw, sw);
  const hi0 = end_valid(offw, sw, W);
  let oh = p0 / OW;
  let ow = p0 - oh * OW;
  let q = 0;
  while (q < len) {
    const n = min(OW - ow, len - q);
    const ih = oh * sh + offh;
    if (ih >= 0 && ih < H) {
      const end = ow + n;
      const lo = min(max(lo0, ow), end);
      const hi = max(min(hi0, end), lo);
      const s = src + (<usize>(q + lo - ow) << 2);
      const row = xp + (<usize>(ih * W + lo * sw + offw) << 2);
      const cnt = hi - lo;
      if (sw == 1) {
        let i = 0;
        for (; i + 4 <= cnt; i += 4) {
          const o = <usize>i << 2;
          v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(s + o)));
        }
        for (; i < cnt; i++) {
          const o = <usize>i << 2;
          store<f32>(row + o, load<f32>(row + o) + load<f32>(s + o));
        }
      } else {
        const step = <usize>sw << 2;
        let r = row;
        let i = 0;
        if (sw == 2) {
          // Four values into every other float of 8: add them spread over the lanes, then keep the sums in
          // the even lanes and the untouched odd ones (a blend, not "+ 0", which would turn -0 into +0). The
          // 8 floats must stay inside the row's valid span: 2i + 7 <= 2(cnt - 1) - 1.
          for (; i + 4 < cnt; i += 4) {
            const v = v128.load(s + (<usize>i << 2));
            const lo = v128.load(r), hi = v128.load(r, 16);
            v128.store(r, f32x4.shuffle(f32x4.add(lo, f32x4.shuffle(v, v, 0, 0, 1, 1)), lo, 0, 5, 2, 7));
            v128.store(r, f32x4.shuffle(f32x4.add(hi, f32x4.shuffle(v, v, 2, 2, 3, 3)), hi, 0, 5, 2, 7), 16);
            r += 32;
          }
        }
        for (; i < cnt; i++) {
          store<f32>(r, load<f32>(r) + load<f32>(s + (<usize>i << 2)));
          r += step;
        }
      }
    }
    q += n;
    ow = 0;
    oh++;
  }
}
