// nn.Module: parameters, children, train/eval, zeroGrad and PyTorch-compatible state dicts.
//
// Parameters are found two ways: names registered by the built-in layers (`weight`, `bias`, which stay
// parameters whatever tensor the user assigns to them), and, for user subclasses like the notebook's own
// Conv2D, any own property holding a Tensor that requires grad. Children are own properties holding Modules.
import { ShapeError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd.js";
import { Tensor, fromData } from "../tensor.js";

export type StateDict = Record<string, { shape: number[]; data: number[] } | Tensor>;

export class Module {
  training = true;
  /** @internal registered parameter names, in registration order */
  readonly _paramNames: string[] = [];
  /** @internal */
  readonly _paramValues = new Map<string, Tensor | null>();

  forward(..._args: any[]): Tensor {
    throw new Error(`${this.constructor.name}.forward is not implemented`);
  }

  /** Declares `name` as a parameter: assigning a leaf tensor to it makes that tensor require grad. */
  protected registerParameter(name: string, value: Tensor | null): void {
    if (!this._paramNames.includes(name)) this._paramNames.push(name);
    Object.defineProperty(this, name, {
      enumerable: true,
      configurable: true,
      get: () => this._paramValues.get(name) ?? null,
      set: (v: Tensor | null) => {
        if (v !== null && !(v instanceof Tensor)) {
          throw new ShapeError(`${this.constructor.name}.${name}: expected a Tensor or null, but got ${typeof v}`);
        }
        if (v && v.isLeaf && !v.requiresGrad) v.requiresGrad = true;
        this._paramValues.set(name, v);
      },
    });
    (this as any)[name] = value;
  }

  /** Sets weight and bias; lazy placeholders (0 elements) are materialised in place, keeping references valid. */
  protected installParameters(weight: Tensor, bias: Tensor | null): void {
    for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
      const cur = this._paramValues.get(name);
      if (cur && cur.numel === 0 && t) {
        cur._materialize(t);
        t.dispose();
      } else this.registerParameter(name, t);
    }
  }

  /** Own (name, module) pairs in insertion order. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter(([, v]) => v instanceof Module) as [string, Module][];
  }

  /** (qualified name, tensor) pairs: `0.weight`, `0.bias`, ... like PyTorch's named_parameters(). */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of this._paramNames) {
      const t = this._paramValues.get(name);
      if (t) out.push([prefix + name, t]);
    }
    for (const [name, v] of Object.entries(this)) {
      if (v instanceof Tensor && v.requiresGrad && !this._paramNames.includes(name)) out.push([prefix + name, v]);
    }
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Sets every parameter's grad to null (PyTorch 2's default set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.namedChildren()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** A JSON-serialisable copy of every parameter, keyed like PyTorch's state_dict(). */
  stateDict(): Record<string, { shape: number[]; data: number[] }> {
    const out: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [k, t] of this.namedParameters()) out[k] = { shape: [...t.shape], data: Array.from(t.toFloat32Array()) };
    return out;
  }

  /** Copies parameters from a state dict (ours, or one exported from PyTorch as {shape, data} or Tensors). */
  loadStateDict(state: StateDict, strict = true): void {
    this._materializeFrom(state, "");
    const params = new Map(this.namedParameters());
    const keys = Object.keys(state);
    if (strict) {
      const missing = [...params.keys()].filter((k) => !(k in state));
      const unexpected = keys.filter((k) => !params.has(k));
      if (missing.length || unexpected.length) {
        throw new ShapeError(`loadStateDict: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]`);
      }
    }
    noGrad(() => {
      for (const k of keys) {
        const p = params.get(k);
        if (!p) continue;
        const v = state[k];
        const shape = v instanceof Tensor ? v.shape : v.shape;
        if (shape.length !== p.shape.length || shape.some((d, i) => d !== p.shape[i])) {
          throw new ShapeError(`loadStateDict: ${k} has shape ${fmtShape(shape)} in the state dict but ${fmtShape(p.shape)} in the model`);
        }
        const src = v instanceof Tensor ? v : fromData(v.data, v.shape);
        p.copy_(src);
        if (src !== v) src.dispose();
      }
    });
  }

  /** @internal Lazy modules create their parameters from the state dict's shapes before loading. */
  _materializeFrom(state: StateDict, prefix: string): void {
    for (const [name, child] of this.namedChildren()) child._materializeFrom(state, `${prefix}${name}.`);
  }
}
