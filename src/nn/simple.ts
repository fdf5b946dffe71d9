// Layers without parameters, the container, and the losses.
import { avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from "../ops/pool.js";
import { unary } from "../ops/elementwise.js";
import { crossEntropy, mseLoss, type Reduction } from "../ops/loss.js";
import type { Pair } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { release } from "../autograd.js";
import { Module } from "./module.js";

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly opts: Omit<MaxPool2dOptions, "returnIndices"> = {}) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly opts: AvgPool2dOptions = {}) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

export class ReLU extends Module {
  override forward(x: Tensor): Tensor { return unary(x, "relu"); }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return unary(x, "sigmoid"); }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return unary(x, "tanh"); }
}

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  override forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
}

/** Modules applied in order; children are named "0", "1", ... like PyTorch's. */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} must be an nn.Module, but got ${typeof m}`);
      (this as any)[String(i)] = m;
    });
  }
  get length(): number { return this.namedChildren().length; }
  at(i: number): Module { return this.namedChildren()[i][1]; }
  override forward(x: Tensor): Tensor {
    const layers = this.namedChildren();
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const prev = y;
      y = layers[i][1].forward(prev);
      // An activation between two layers is seen by no one but this loop: let backward free it when done.
      if (i > 0 && prev !== y && prev._node) release(prev);
    }
    return y;
  }
}

export class MSELoss extends Module {
  constructor(readonly opts: { reduction?: Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, this.opts); }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly opts: { reduction?: Reduction } = {}) {
    super();
  }
  override forward(logits: Tensor, targets: Tensor | number[]): Tensor { return crossEntropy(logits, targets, this.opts); }
}
