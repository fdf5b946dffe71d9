// The notebook's helpers (d2l.ai, "Convolutions for Images"), running on the WebAssembly kernels.
import { fmtShape, fail } from "./errors.js";
import { conv2d, convTranspose2d } from "./ops/conv.js";
import { matmul } from "./ops/matmul.js";
import { avgPool2d, maxPool2d } from "./ops/pool.js";
import type { Module } from "./nn/module.js";
import { Tensor } from "./tensor.js";
import { release } from "./autograd.js";

function rank(op: string, name: string, t: Tensor, n: number, what: string): void {
  if (!(t instanceof Tensor)) fail(op, `${name} must be a Tensor`);
  if (!(t.ndim === n)) fail(op, `${name} must be ${n}-D ${what}, but got shape ${fmtShape(t.shape)}`);
}

/** op(x, k) with its leading `lead` size-1 dimensions dropped; the reshaped views and the raw output are freed. */
function squeeze(op: (x: Tensor, k: Tensor) => Tensor, x: Tensor, k: Tensor, lead: number): Tensor {
  const y = op(x, k);
  release(x);
  release(k);
  const out = y.reshape(y.shape.slice(lead) as number[]);
  release(y);
  return out;
}

/** 2-D cross-correlation of X (h, w) with K (kh, kw): output (h-kh+1, w-kw+1). Differentiable. */
function corr2d(X: Tensor, K: Tensor): Tensor {
  rank("corr2d", "X", X, 2, "(h, w)");
  rank("corr2d", "K", K, 2, "(kh, kw)");
  return squeeze(conv2d, X.reshape(1, 1, ...X.shape), K.reshape(1, 1, ...K.shape), 2);
}

/** Sum over channels of per-channel cross-correlations: X (c, h, w), K (c, kh, kw). */
function corr2dMultiIn(X: Tensor, K: Tensor): Tensor {
  rank("corr2dMultiIn", "X", X, 3, "(c, h, w)");
  rank("corr2dMultiIn", "K", K, 3, "(c, kh, kw)");
  return squeeze(conv2d, X.reshape(1, ...X.shape), K.reshape(1, ...K.shape), 2);
}

/** One output channel per kernel: X (c, h, w), K (o, c, kh, kw) -> (o, h', w'). */
function corr2dMultiInOut(X: Tensor, K: Tensor): Tensor {
  rank("corr2dMultiInOut", "X", X, 3, "(c, h, w)");
  rank("corr2dMultiInOut", "K", K, 4, "(o, c, kh, kw)");
  return conv2d(X, K);
}

/** The 1x1 convolution as a matrix product: (o, c) @ (c, h*w). */
function corr2dMultiInOut1x1(X: Tensor, K: Tensor): Tensor {
  rank("corr2dMultiInOut1x1", "X", X, 3, "(c, h, w)");
  if (!(K instanceof Tensor && K.ndim >= 2 && K.numel === K.shape[0] * K.shape[1])) fail("corr2dMultiInOut1x1", `K must be (o, c, 1, 1), but got shape ${fmtShape(K.shape)}`);
  const [c, h, w] = X.shape;
  const o = K.shape[0];
  return matmul(K.reshape(o, c), X.reshape(c, h * w)).reshape(o, h, w);
}

/** Max or average pooling of X (h, w) with a [ph, pw] window and stride 1, as the notebook's pool2d. */
function pool2d(X: Tensor, poolSize: [number, number], mode: "max" | "avg" = "max"): Tensor {
  rank("pool2d", "X", X, 2, "(h, w)");
  if (!(mode === "max" || mode === "avg")) fail("pool2d", `mode must be 'max' or 'avg', but got '${mode}'`);
  const x = X.reshape(1, ...X.shape);
  const y = mode === "max" ? maxPool2d(x, poolSize, { stride: 1 }) : avgPool2d(x, poolSize, { stride: 1 });
  return y.reshape(y.shape.slice(1) as number[]);
}

/** The basic transposed convolution of X (h, w) with K (kh, kw): output (h+kh-1, w+kw-1). */
function transConv(X: Tensor, K: Tensor): Tensor {
  rank("transConv", "X", X, 2, "(h, w)");
  rank("transConv", "K", K, 2, "(kh, kw)");
  return squeeze(convTranspose2d, X.reshape(1, 1, ...X.shape), K.reshape(1, 1, ...K.shape), 2);
}

/** Runs a conv module on a 2-D X by adding and then stripping the batch and channel dimensions. */
function compConv2d(module: Module, X: Tensor): Tensor {
  rank("compConv2d", "X", X, 2, "(h, w)");
  const y = module.forward(X.reshape(1, 1, ...X.shape));
  return y.reshape(y.shape.slice(2) as number[]);
}

export const d2l = { corr2d, corr2dMultiIn, corr2dMultiInOut, corr2dMultiInOut1x1, pool2d, transConv, compConv2d };
