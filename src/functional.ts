// F: the functional ops, as in torch.nn.functional.
import { convTranspose2d, conv2d } from "./ops/conv.js";
import { unary } from "./ops/elementwise.js";
import { crossEntropy, mseLoss } from "./ops/loss.js";
import { linear } from "./ops/matmul.js";
import { avgPool2d, maxPool2d } from "./ops/pool.js";
import { pad2d } from "./ops/conv.js";
import type { Tensor } from "./tensor.js";

export const F = {
  conv2d,
  convTranspose2d,
  maxPool2d,
  avgPool2d,
  linear,
  relu: (x: Tensor) => unary(x, "relu"),
  sigmoid: (x: Tensor) => unary(x, "sigmoid"),
  tanh: (x: Tensor) => unary(x, "tanh"),
  mseLoss,
  crossEntropy,
  /** F.pad for 4-D/3-D inputs: pad = [left, right, top, bottom] like PyTorch's last-dimension-first order. */
  pad: (x: Tensor, pad: [number, number, number, number], mode: "constant" | "reflect" | "replicate" | "circular" = "constant") =>
    pad2d("pad", x, [pad[2], pad[3], pad[0], pad[1]], mode === "constant" ? "zeros" : mode),
};
