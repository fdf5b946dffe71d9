// Layers with parameters: Conv2d, LazyConv2d, ConvTranspose2d, Linear, LazyLinear.
// Default initialisation is PyTorch's: weight and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
import { checkInt, pair, ShapeError, fail } from "../errors.js";
import { uniformTensor } from "../creation.js";
import { conv2d, convTranspose2d, type PaddingMode } from "../ops/conv.js";
import { linear } from "../ops/matmul.js";
import { Tensor, fromData } from "../tensor.js";
import type { Pair, Padding } from "../shape.js";
import { Module, type StateDict } from "./module.js";

function initUniform(shape: number[], fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniformTensor(shape, -bound, bound);
}

export interface Conv2dOptions {
  stride?: Pair; padding?: Padding; dilation?: Pair; groups?: number; bias?: boolean; paddingMode?: PaddingMode;
}

export class Conv2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly kernelSize: [number, number];
  inChannels: number;

  constructor(inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly opts: Conv2dOptions = {}) {
    super();
    const op = this.constructor.name;
    this.inChannels = inChannels < 0 ? -1 : checkInt(op, "inChannels", inChannels, 1);
    checkInt(op, "outChannels", outChannels, 1);
    this.kernelSize = pair(op, "kernelSize", kernelSize, 1);
    const groups = checkInt(op, "groups", opts.groups ?? 1, 1);
    if (inChannels > 0) if (!(inChannels % groups === 0)) fail(op, `inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (!(outChannels % groups === 0)) fail(op, `outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const mode = opts.paddingMode ?? "zeros";
    if (!(["zeros", "reflect", "replicate", "circular"].includes(mode))) fail(op, `paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', but got '${mode}'`);
    if (opts.padding === "same") {
      const [sh, sw] = pair(op, "stride", opts.stride ?? 1, 1);
      if (!(sh === 1 && sw === 1)) fail(op, `padding='same' is not supported for strided convolutions (stride [${sh}, ${sw}])`);
    }
    if (inChannels > 0) this.resetParameters();
    else {
      this.registerParameter("weight", fromData([], [0]));
      this.registerParameter("bias", opts.bias === false ? null : fromData([], [0]));
    }
  }

  /** Re-draws weight and bias from PyTorch's default distribution. */
  resetParameters(): void {
    const g = this.opts.groups ?? 1;
    const [kh, kw] = this.kernelSize;
    const fanIn = (this.inChannels / g) * kh * kw;
    const w = initUniform([this.outChannels, this.inChannels / g, kh, kw], fanIn);
    const b = this.opts.bias === false ? null : initUniform([this.outChannels], fanIn);
    this.installParameters(w, b);
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups, paddingMode } = this.opts;
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups, paddingMode });
  }
}

/** Conv2d whose inChannels is taken from the first input (shape[1] of 4-D, shape[0] of 3-D). */
export class LazyConv2d extends Conv2d {
  constructor(outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super(-1, outChannels, kernelSize, opts);
  }

  get initialized(): boolean { return this.inChannels > 0; }

  #init(inChannels: number): void {
    const g = this.opts.groups ?? 1;
    if (!(inChannels % g === 0)) fail("LazyConv2d", `the input's ${inChannels} channels must be divisible by groups (${g})`);
    this.inChannels = inChannels;
    this.resetParameters();
  }

  override forward(x: Tensor): Tensor {
    if (!this.initialized) {
      if (!(x instanceof Tensor) || (x.ndim !== 3 && x.ndim !== 4)) {
        throw new ShapeError(`LazyConv2d: input must be a 3-D or 4-D Tensor, but got ${x instanceof Tensor ? `shape [${x.shape.join(", ")}]` : typeof x}`);
      }
      this.#init(x.shape[x.ndim - 3]);
    }
    return super.forward(x);
  }

  override _materializeFrom(state: StateDict, prefix: string): void {
    const w = state[`${prefix}weight`];
    if (!this.initialized && w) this.#init(w.shape[1] * (this.opts.groups ?? 1));
  }
}

export interface ConvTranspose2dOptions {
  stride?: Pair; padding?: Pair; outputPadding?: Pair; groups?: number; bias?: boolean; dilation?: Pair;
}

export class ConvTranspose2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly opts: ConvTranspose2dOptions = {}) {
    super();
    const op = "ConvTranspose2d";
    checkInt(op, "inChannels", inChannels, 1);
    checkInt(op, "outChannels", outChannels, 1);
    this.kernelSize = pair(op, "kernelSize", kernelSize, 1);
    const g = checkInt(op, "groups", opts.groups ?? 1, 1);
    if (!(inChannels % g === 0)) fail(op, `inChannels (${inChannels}) must be divisible by groups (${g})`);
    if (!(outChannels % g === 0)) fail(op, `outChannels (${outChannels}) must be divisible by groups (${g})`);
    const [kh, kw] = this.kernelSize;
    const fanIn = (outChannels / g) * kh * kw; // weight.shape[1] * kh * kw, as PyTorch computes it
    this.registerParameter("weight", initUniform([inChannels, outChannels / g, kh, kw], fanIn));
    this.registerParameter("bias", opts.bias === false ? null : initUniform([outChannels], fanIn));
  }

  /** `outputSize` ([H, W] or with batch/channels) picks the output padding like PyTorch's forward(x, output_size). */
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    const { stride, padding, groups, dilation } = this.opts;
    let outputPadding = this.opts.outputPadding;
    if (outputSize) {
      const [sh, sw] = pair("ConvTranspose2d", "stride", stride ?? 1, 1);
      const [ph, pw] = pair("ConvTranspose2d", "padding", padding ?? 0, 0);
      const [dh, dw] = pair("ConvTranspose2d", "dilation", dilation ?? 1, 1);
      const [kh, kw] = this.kernelSize;
      const [oh, ow] = outputSize.slice(-2);
      const h = x.shape[x.ndim - 2], w = x.shape[x.ndim - 1];
      const minH = (h - 1) * sh - 2 * ph + dh * (kh - 1) + 1, minW = (w - 1) * sw - 2 * pw + dw * (kw - 1) + 1;
      if (!(oh >= minH && oh < minH + sh && ow >= minW && ow < minW + sw)) fail("ConvTranspose2d", `requested output size [${oh}, ${ow}] is not in the valid range [${minH}..${minH + sh - 1}, ${minW}..${minW + sw - 1}]`);
      outputPadding = [oh - minH, ow - minW];
    }
    return convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, groups, dilation });
  }
}

export class Linear extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(public inFeatures: number, readonly outFeatures: number, readonly opts: { bias?: boolean } = {}) {
    super();
    checkInt("Linear", "outFeatures", outFeatures, 1);
    if (inFeatures < 0) {
      this.registerParameter("weight", fromData([], [0]));
      this.registerParameter("bias", opts.bias === false ? null : fromData([], [0]));
    } else {
      checkInt("Linear", "inFeatures", inFeatures, 1);
      this.resetParameters();
    }
  }

  resetParameters(): void {
    const w = initUniform([this.outFeatures, this.inFeatures], this.inFeatures);
    const b = this.opts.bias === false ? null : initUniform([this.outFeatures], this.inFeatures);
    this.installParameters(w, b);
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** Linear whose inFeatures is taken from the first input's last dimension. */
export class LazyLinear extends Linear {
  constructor(outFeatures: number, opts: { bias?: boolean } = {}) {
    super(-1, outFeatures, opts);
  }

  override forward(x: Tensor): Tensor {
    if (this.inFeatures < 0) {
      this.inFeatures = x.shape[x.ndim - 1];
      this.resetParameters();
    }
    return super.forward(x);
  }

  override _materializeFrom(state: StateDict, prefix: string): void {
    const w = state[`${prefix}weight`];
    if (this.inFeatures < 0 && w) {
      this.inFeatures = w.shape[1];
      this.resetParameters();
    }
  }
}
