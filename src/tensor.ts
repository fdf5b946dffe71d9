// Tensor: a shape, a storage in WebAssembly linear memory, and autograd bookkeeping. The arithmetic lives
// in src/ops (one registry entry per op); the methods here only forward to it.
import { AutogradError, ShapeError, fmtShape } from "./errors.js";
import { isGradEnabled, noGrad, runBackward, type Node } from "./autograd.js";
import { numelOf } from "./broadcast.js";
import { formatTensor } from "./format.js";
import { allocStorage, ptrOf, readStorage, releaseStorage, Storage } from "./memory.js";
import * as ew from "./ops/elementwise.js";
import * as red from "./ops/reduce.js";
import * as shp from "./ops/shape.js";
import { matmul } from "./ops/matmul.js";
import { heapF32 } from "./wasm.js";

export type Scalar = number;
export type TensorLike = Tensor | number;

export class Tensor {
  readonly shape: readonly number[];
  /** @internal */ _storage: Storage;
  /** @internal The tape node that produced this tensor (null for leaves). */ _node: Node | null = null;
  #requiresGrad = false;
  grad: Tensor | null = null;

  /** @internal Use tensor(), zeros(), ... to create tensors. */
  constructor(shape: readonly number[], storage: Storage) {
    // Shapes are never mutated (readonly in the types), so the array is shared instead of copied.
    this.shape = shape;
    this._storage = storage;
  }

  get ndim(): number { return this.shape.length; }
  get numel(): number { return this._storage.length; }
  get isLeaf(): boolean { return this._node === null; }

  get requiresGrad(): boolean { return this.#requiresGrad; }
  set requiresGrad(v: boolean) {
    if (this._node !== null && !v) {
      throw new AutogradError("requiresGrad: you can only change requiresGrad of leaf tensors; use detach() on a computed tensor");
    }
    this.#requiresGrad = v;
  }
  /** @internal */ _setRequiresGrad(v: boolean): void { this.#requiresGrad = v; }

  /**
   * @internal Gives an uninitialised lazy parameter its shape and data in place, so that references held
   * elsewhere (an optimizer built before the first forward) see the materialised tensor.
   */
  _materialize(from: Tensor): void {
    releaseStorage(this._storage);
    from._storage.refs++;
    this._storage = from._storage;
    (this as { shape: readonly number[] }).shape = from.shape;
  }

  /** @internal Byte offset of the data (reloads spilled data); valid until the next allocation. */
  _ptr(): number { return ptrOf(this._storage); }

  // ---- reading ----
  toFloat32Array(): Float32Array { return readStorage(this._storage); }
  toArray(): any {
    const data = this.toFloat32Array();
    if (this.shape.length === 0) return data[0];
    const build = (dim: number, offset: number): any => {
      const n = this.shape[dim];
      if (dim === this.shape.length - 1) return Array.from(data.subarray(offset, offset + n));
      const inner = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * inner));
    };
    return build(0, 0);
  }
  item(): number {
    if (this.numel !== 1) throw new ShapeError(`item: only one-element tensors can be converted to a number, but this tensor has shape ${fmtShape(this.shape)} (${this.numel} elements)`);
    return this.toFloat32Array()[0];
  }
  toString(): string {
    const suffixes: string[] = [];
    if (this._node) suffixes.push(`grad_fn=<${this._node.def.name}Backward0>`);
    else if (this.requiresGrad) suffixes.push("requires_grad=True");
    return formatTensor(this.toFloat32Array(), this.shape, suffixes);
  }

  // ---- shape ----
  reshape(...shape: (number | number[])[]): Tensor { return shp.reshape(this, shape.flat()); }
  view(...shape: (number | number[])[]): Tensor { return shp.reshape(this, shape.flat()); }
  flatten(startDim = 0, endDim = -1): Tensor { return shp.flatten(this, startDim, endDim); }
  transpose(d0: number, d1: number): Tensor { return shp.transpose(this, d0, d1); }
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but got ${this.ndim} (shape ${fmtShape(this.shape)})`);
    return this.ndim < 2 ? this : shp.transpose(this, 0, 1);
  }

  // ---- arithmetic (autograd-aware) ----
  add(o: TensorLike): Tensor { return ew.add(this, o); }
  sub(o: TensorLike): Tensor { return ew.sub(this, o); }
  mul(o: TensorLike): Tensor { return ew.mul(this, o); }
  div(o: TensorLike): Tensor { return ew.div(this, o); }
  pow(n: number): Tensor { return ew.pow(this, n); }
  neg(): Tensor { return ew.unary(this, "neg"); }
  abs(): Tensor { return ew.unary(this, "abs"); }
  exp(): Tensor { return ew.unary(this, "exp"); }
  log(): Tensor { return ew.unary(this, "log"); }
  sqrt(): Tensor { return ew.unary(this, "sqrt"); }
  relu(): Tensor { return ew.unary(this, "relu"); }
  sigmoid(): Tensor { return ew.unary(this, "sigmoid"); }
  tanh(): Tensor { return ew.unary(this, "tanh"); }
  matmul(o: Tensor): Tensor { return matmul(this, o); }
  sum(dim?: number, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  max(): Tensor { return red.max(this); }

  // ---- in place (PyTorch-style; not recorded by autograd) ----
  #checkInPlace(op: string): void {
    if (this.requiresGrad && isGradEnabled()) {
      throw new AutogradError(
        `${op}: a ${this.isLeaf ? "leaf tensor" : "tensor"} that requires grad cannot be modified in place while ` +
        `gradients are being recorded; wrap the update in noGrad(() => ...) as in PyTorch's torch.no_grad()`);
    }
  }
  add_(o: TensorLike): this { this.#checkInPlace("add_"); ew.inPlace(this, o, "add"); return this; }
  sub_(o: TensorLike): this { this.#checkInPlace("sub_"); ew.inPlace(this, o, "sub"); return this; }
  mul_(o: TensorLike): this { this.#checkInPlace("mul_"); ew.inPlace(this, o, "mul"); return this; }
  div_(o: TensorLike): this { this.#checkInPlace("div_"); ew.inPlace(this, o, "div"); return this; }
  zero_(): this { return this.fill_(0); }
  fill_(value: number): this {
    this.#checkInPlace("fill_");
    const p = this._ptr() >> 2;
    heapF32().fill(value, p, p + this.numel);
    return this;
  }
  copy_(src: Tensor): this {
    this.#checkInPlace("copy_");
    ew.inPlaceCopy(this, src);
    return this;
  }

  // ---- autograd ----
  detach(): Tensor {
    this._storage.refs++;
    return new Tensor(this.shape, this._storage);
  }
  /** A new tensor with a copy of the data (recorded by autograd like PyTorch's clone()). */
  clone(): Tensor { return shp.clone(this); }
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new AutogradError("backward: this tensor does not require grad and has no grad_fn (no input of the computation had requiresGrad set)");
    }
    if (gradient === undefined) {
      if (this.numel !== 1) {
        throw new AutogradError(`backward: grad can be implicitly created only for one-element outputs, but this tensor has shape ${fmtShape(this.shape)}; call .sum().backward() or pass a gradient`);
      }
      const ones = fromData(new Float32Array([1]), this.shape);
      try { runBackward(this, ones, opts.retainGraph ?? false); } finally { ones.dispose(); }
      return;
    }
    if (gradient.numel !== this.numel) {
      throw new ShapeError(`backward: gradient has shape ${fmtShape(gradient.shape)} but the tensor has shape ${fmtShape(this.shape)}`);
    }
    runBackward(this, gradient, opts.retainGraph ?? false);
  }
  /** @internal Adds a freshly computed gradient (ownership passes to this tensor). */
  _accumulateGrad(g: Tensor): void {
    const gg = g.shape.length === this.shape.length ? g : g.reshape(this.shape as number[]);
    if (this.grad === null) this.grad = gg;
    else {
      noGrad(() => this.grad!._addInPlace(gg));
      gg.dispose();
    }
  }
  /** @internal In-place add without autograd checks (gradient accumulation). */
  _addInPlace(g: Tensor): void { ew.inPlace(this, g, "add"); }

  /** Frees the tensor's WebAssembly memory now. Using it afterwards throws. */
  dispose(): void { releaseStorage(this._storage); }
  get isDisposed(): boolean { return this._storage.disposed; }
}

/** A tensor over a fresh storage holding a copy of `data`. */
export function fromData(data: ArrayLike<number>, shape: readonly number[]): Tensor {
  const s = allocStorage(data.length);
  heapF32().set(data, s.ptr >> 2);
  return new Tensor(shape, s);
}

/** A tensor with a fresh, uninitialised storage (kernels overwrite it). */
export function empty(shape: readonly number[]): Tensor {
  return new Tensor(shape, allocStorage(numelOf(shape)));
}

/** A tensor with a fresh zero-filled storage (backward kernels accumulate into it). */
export function zerosLike(shape: readonly number[]): Tensor {
  return new Tensor(shape, allocStorage(numelOf(shape), true));
}
