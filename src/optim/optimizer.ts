// The optimizer base: the parameter list, zeroGrad, and per-parameter state kept in WebAssembly memory.
import { ShapeError } from "../errors.js";
import { Tensor, zerosLike } from "../tensor.js";

export abstract class Optimizer {
  readonly params: Tensor[];
  /** Per-parameter state buffers (momentum, moments), created on first use. */
  protected readonly state = new Map<Tensor, Record<string, Tensor>>();

  constructor(params: Iterable<Tensor>, op: string) {
    this.params = [...params];
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ShapeError(`${op}: params[${i}] must be a Tensor, but got ${typeof p}`);
    });
    if (this.params.length === 0) throw new ShapeError(`${op}: got an empty parameter list`);
  }

  /** Sets every parameter's grad to null (PyTorch 2's default set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** A zero-filled state buffer shaped like p, created once and kept. */
  protected buffer(p: Tensor, name: string): { t: Tensor; fresh: boolean } {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    const existing = s[name];
    if (existing && existing.numel === p.numel) return { t: existing, fresh: false };
    existing?.dispose();
    return { t: (s[name] = zerosLike(p.shape)), fresh: true };
  }

  /** Updates every parameter that has a gradient. */
  step(): void {
    for (const p of this.params) {
      if (p.grad === null) continue;
      if (p.grad.numel !== p.numel) {
        throw new ShapeError(`${this.constructor.name}.step: a gradient of ${p.grad.numel} elements does not fit its parameter of ${p.numel}`);
      }
      this.update(p, p.grad);
    }
  }

  protected abstract update(p: Tensor, g: Tensor): void;
}

export function checkHyper(op: string, name: string, v: number, min = 0): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new ShapeError(`${op}: ${name} must be a finite number >= ${min}, but got ${v}`);
  }
  return v;
}
