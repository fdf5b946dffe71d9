// optim: SGD (momentum, dampening, Nesterov, weight decay), Adam and AdamW, with PyTorch's update rules.
// Each step is one WebAssembly kernel call per parameter tensor.
import { ShapeError } from "../errors.js";
import { adamStep, adamwStep, sgdStep } from "../kernels/optim.js";
import type { Tensor } from "../tensor.js";
import { checkHyper, Optimizer } from "./optimizer.js";

export { Optimizer };

export interface SGDOptions { lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }

export class SGD extends Optimizer {
  readonly lr: number; readonly momentum: number; readonly dampening: number;
  readonly weightDecay: number; readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, opts: SGDOptions = {}) {
    super(params, "SGD");
    this.lr = checkHyper("SGD", "lr", opts.lr ?? 1e-3);
    this.momentum = checkHyper("SGD", "momentum", opts.momentum ?? 0);
    this.dampening = checkHyper("SGD", "dampening", opts.dampening ?? 0, -Infinity);
    this.weightDecay = checkHyper("SGD", "weightDecay", opts.weightDecay ?? 0);
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ShapeError("SGD: nesterov momentum requires a momentum > 0 and zero dampening");
    }
  }

  protected update(p: Tensor, g: Tensor): void {
    let buf = 0, first = false;
    if (this.momentum !== 0) {
      const b = this.buffer(p, "momentum");
      buf = b.t._ptr();
      first = b.fresh;
    }
    sgdStep(p._ptr(), g._ptr(), buf, p.numel, this, first);
  }
}

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

export class Adam extends Optimizer {
  readonly lr: number; readonly betas: [number, number]; readonly eps: number; readonly weightDecay: number;
  protected readonly steps = new Map<Tensor, number>();
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, new.target.name);
    const op = new.target.name;
    this.lr = checkHyper(op, "lr", opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1)) throw new ShapeError(`${op}: betas[${i}] must be in [0, 1), but got ${b}`);
    });
    this.eps = checkHyper(op, "eps", opts.eps ?? 1e-8);
    this.weightDecay = checkHyper(op, "weightDecay", opts.weightDecay ?? defaultWeightDecay);
  }

  protected update(p: Tensor, g: Tensor): void {
    const m = this.buffer(p, "expAvg").t;
    const v = this.buffer(p, "expAvgSq").t;
    const step = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, step);
    const kernel = this.decoupled ? adamwStep : adamStep;
    const h = { lr: this.lr, beta1: this.betas[0], beta2: this.betas[1], eps: this.eps, weightDecay: this.weightDecay };
    kernel(p._ptr(), g._ptr(), m._ptr(), v._ptr(), p.numel, h, step);
  }
}

/** Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, opts, 1e-2);
  }
}
