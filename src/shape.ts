// Output-size formulas and argument checks for convolutions and pooling, with PyTorch's rules
// (../shared/SEMANTICS.md). Everything a kernel needs is validated here, so kernels never see bad geometry.
import { checkInt, fmtShape, pair, ShapeError, fail } from "./errors.js";

export type Pair = number | [number, number];
export type Padding = Pair | "same" | "valid";

// The geometry records are defined next to the kernel wrappers that consume them.
import type { ConvGeometry } from "./kernels/conv.js";
import type { PoolGeometry } from "./kernels/pool.js";
export type { ConvGeometry, PoolGeometry };

/** Batched (N, C, H, W) view of a 3-D or 4-D input shape. */
export function asBatched(op: string, shape: readonly number[]): { n: number; c: number; h: number; w: number; unbatched: boolean } {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new ShapeError(`${op}: input must be 3-D (C, H, W) or 4-D (N, C, H, W), but got shape ${fmtShape(shape)}`);
  }
  const unbatched = shape.length === 3;
  const o = unbatched ? -1 : 0;
  const n = unbatched ? 1 : shape[0], c = shape[1 + o], h = shape[2 + o], w = shape[3 + o];
  if (!(c > 0 && h > 0 && w > 0)) fail(op, `input must have non-zero channels, height and width, but got shape ${fmtShape(shape)}`);
  return { n, c, h, w, unbatched };
}

/** floor((size + 2p - d(k-1) - 1) / s) + 1, PyTorch's convolution output size. */
export function convOutSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

export interface ConvOpts { stride?: Pair; padding?: Padding; dilation?: Pair; groups?: number }

export interface Conv2dPlan {
  geom: ConvGeometry;
  unbatched: boolean;
  /** Extra zero rows/columns at the bottom/right for 'same' with an odd total padding (PyTorch pads a copy). */
  extra: [number, number];
}

function checkWeight(op: string, w: readonly number[], what: string): void {
  if (!(w.length === 4)) fail(op, `weight must be 4-D ${what}, but got shape ${fmtShape(w)}`);
  if (!(w[0] > 0 && w[1] > 0 && w[2] > 0 && w[3] > 0)) fail(op, `weight must have no zero dimension, but got shape ${fmtShape(w)}`);
}

function checkBias(op: string, bias: readonly number[] | null, channels: number, w: readonly number[]): void {
  if (bias === null) return;
  if (!(bias.length === 1 && bias[0] === channels)) fail(op, `bias must be 1-D with ${channels} elements (weight shape ${fmtShape(w)}), but got shape ${fmtShape(bias)}`);
}

export function planConv2d(op: string, x: readonly number[], w: readonly number[], bias: readonly number[] | null, opts: ConvOpts = {}): Conv2dPlan {
  const { n, c, h, w: width, unbatched } = asBatched(op, x);
  checkWeight(op, w, "(out_channels, in_channels / groups, kH, kW)");
  const [sh, sw] = pair(op, "stride", opts.stride ?? 1, 1);
  const [dh, dw] = pair(op, "dilation", opts.dilation ?? 1, 1);
  const groups = checkInt(op, "groups", opts.groups ?? 1, 1);
  const [o, cg, kh, kw] = w;
  if (!(o % groups === 0)) fail(op, `out_channels (weight.shape[0] = ${o}) must be divisible by groups (${groups}), weight shape ${fmtShape(w)}`);
  if (!(c === cg * groups)) fail(op, `input has ${c} channels but weight expects ${cg * groups} (weight shape ${fmtShape(w)}, groups ${groups})`);
  checkBias(op, bias, o, w);
  let ph: number, pw: number;
  const extra: [number, number] = [0, 0];
  const padding = opts.padding ?? 0;
  if (padding === "valid") [ph, pw] = [0, 0];
  else if (padding === "same") {
    if (!(sh === 1 && sw === 1)) fail(op, `padding='same' is not supported for strided convolutions (stride [${sh}, ${sw}]); give the padding as a number or [pH, pW]`);
    const th = dh * (kh - 1), tw = dw * (kw - 1);
    [ph, pw] = [Math.floor(th / 2), Math.floor(tw / 2)];
    extra[0] = th - 2 * ph;
    extra[1] = tw - 2 * pw;
  } else if (typeof padding === "string") {
    throw new ShapeError(`${op}: padding must be a number, [pH, pW], 'same' or 'valid', but got '${padding}'`);
  } else [ph, pw] = pair(op, "padding", padding, 0);
  const effH = dh * (kh - 1) + 1, effW = dw * (kw - 1) + 1;
  const padH = h + 2 * ph + extra[0], padW = width + 2 * pw + extra[1];
  if (!(padH >= effH && padW >= effW)) fail(op, `kernel size (${effH} x ${effW}${dh > 1 || dw > 1 ? " after dilation" : ""}) can't be greater than the padded input size (${padH} x ${padW}); input shape ${fmtShape(x)}, weight shape ${fmtShape(w)}`);
  const geom: ConvGeometry = {
    N: n, C: c, H: h + extra[0], W: width + extra[1], O: o, KH: kh, KW: kw,
    OH: convOutSize(h + extra[0], kh, sh, ph, dh), OW: convOutSize(width + extra[1], kw, sw, pw, dw),
    sh, sw, ph, pw, dh, dw, G: groups,
  };
  return { geom, unbatched, extra };
}

export interface ConvTransposeOpts { stride?: Pair; padding?: Pair; outputPadding?: Pair; dilation?: Pair; groups?: number }

export function planConvTranspose2d(op: string, x: readonly number[], w: readonly number[], bias: readonly number[] | null, opts: ConvTransposeOpts = {}): { geom: ConvGeometry; unbatched: boolean } {
  const { n, c, h, w: width, unbatched } = asBatched(op, x);
  checkWeight(op, w, "(in_channels, out_channels / groups, kH, kW)");
  const [sh, sw] = pair(op, "stride", opts.stride ?? 1, 1);
  const [dh, dw] = pair(op, "dilation", opts.dilation ?? 1, 1);
  if (typeof opts.padding === "string") throw new ShapeError(`${op}: padding must be a number or [pH, pW] (no 'same' or 'valid' for transposed convolution), but got '${opts.padding}'`);
  const [ph, pw] = pair(op, "padding", opts.padding ?? 0, 0);
  const [oph, opw] = pair(op, "outputPadding", opts.outputPadding ?? 0, 0);
  if (!((oph < sh || oph < dh) && (opw < sw || opw < dw))) fail(op, `outputPadding must be smaller than either stride or dilation, but got outputPadding [${oph}, ${opw}], stride [${sh}, ${sw}], dilation [${dh}, ${dw}]`);
  const groups = checkInt(op, "groups", opts.groups ?? 1, 1);
  const [cin, og, kh, kw] = w;
  if (!(cin % groups === 0)) fail(op, `in_channels (weight.shape[0] = ${cin}) must be divisible by groups (${groups}), weight shape ${fmtShape(w)}`);
  if (!(c === cin)) fail(op, `input has ${c} channels but weight expects ${cin} (weight shape ${fmtShape(w)}, groups ${groups})`);
  const o = og * groups;
  checkBias(op, bias, o, w);
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (width - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (!(oh >= 1 && ow >= 1)) fail(op, `the output size (${oh} x ${ow}) is too small for input size (${h} x ${width}) with padding [${ph}, ${pw}]; reduce the padding`);
  return { geom: { N: n, C: c, H: h, W: width, O: o, KH: kh, KW: kw, OH: oh, OW: ow, sh, sw, ph, pw, dh, dw, G: groups }, unbatched };
}

/** PyTorch's pooling output size, with the ceil-mode rule that the last window must start inside. */
export function poolOutSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

export interface PoolOpts { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }

export function planPool2d(op: string, x: readonly number[], kernelSize: Pair, opts: PoolOpts, dilated: boolean): { geom: PoolGeometry; unbatched: boolean; shape: number[] } {
  const { n, c, h, w, unbatched } = asBatched(op, x);
  const [kh, kw] = pair(op, "kernelSize", kernelSize, 1);
  const [sh, sw] = opts.stride == null ? [kh, kw] : pair(op, "stride", opts.stride, 1);
  if (typeof opts.padding === "string") throw new ShapeError(`${op}: padding must be a number or [pH, pW], but got '${opts.padding}'`);
  const [ph, pw] = pair(op, "padding", opts.padding ?? 0, 0);
  const [dh, dw] = dilated ? pair(op, "dilation", opts.dilation ?? 1, 1) : [1, 1];
  const limH = Math.floor(((kh - 1) * dh + 1) / 2), limW = Math.floor(((kw - 1) * dw + 1) / 2);
  if (!(ph <= limH && pw <= limW)) fail(op, `padding should be at most half of the effective kernel size, but got padding [${ph}, ${pw}] for kernelSize [${kh}, ${kw}]${dilated ? ` and dilation [${dh}, ${dw}]` : ""} (limit [${limH}, ${limW}])`);
  const ceil = opts.ceilMode ?? false;
  const oh = poolOutSize(h, kh, sh, ph, dh, ceil), ow = poolOutSize(w, kw, sw, pw, dw, ceil);
  if (!(oh >= 1 && ow >= 1)) fail(op, `the output size (${oh} x ${ow}) is too small for input size (${h} x ${w}) with kernelSize [${kh}, ${kw}], padding [${ph}, ${pw}]`);
  const geom = { P: n * c, H: h, W: w, OH: oh, OW: ow, KH: kh, KW: kw, sh, sw, ph, pw, dh, dw };
  return { geom, unbatched, shape: unbatched ? [c, oh, ow] : [n, c, oh, ow] };
}
