// Creating tensors: from data, constant fills, random draws and ranges.
import { numelOf } from "./broadcast.js";
import { checkInt, ShapeError } from "./errors.js";
import { normal, uniform } from "./random.js";
import { empty, fromData, Tensor } from "./tensor.js";

export interface TensorOptions { shape?: number[]; requiresGrad?: boolean }

function flattenNested(op: string, data: unknown, shape: number[], out: number[], depth: number): void {
  if (typeof data === "number") {
    if (depth !== shape.length) throw new ShapeError(`${op}: nested arrays are ragged (a number at depth ${depth}, expected depth ${shape.length})`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data)) throw new ShapeError(`${op}: data must be numbers, nested number arrays or a Float32Array, but found ${typeof data}`);
  if (depth === shape.length) shape.push(data.length);
  else if (shape[depth] !== data.length) {
    throw new ShapeError(`${op}: nested arrays are ragged (length ${data.length} at depth ${depth}, expected ${shape[depth]})`);
  }
  for (const d of data) flattenNested(op, d, shape, out, depth + 1);
}

function checkShape(op: string, shape: unknown): number[] {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s)) throw new ShapeError(`${op}: shape must be an array of sizes, but got ${typeof shape}`);
  return s.map((d, i) => checkInt(op, `shape[${i}]`, d, 0));
}

function finish(t: Tensor, opts?: { requiresGrad?: boolean }): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor from nested number arrays, a flat number[] or a Float32Array (opts.shape for flat data). */
export function tensor(data: number | number[] | unknown[] | Float32Array | ArrayLike<number>, opts: TensorOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof data === "number") {
    flat = [data];
    shape = [];
  } else if (ArrayBuffer.isView(data)) {
    flat = data as unknown as ArrayLike<number>;
    shape = [flat.length];
  } else {
    const out: number[] = [];
    shape = [];
    flattenNested("tensor", data, shape, out, 0);
    flat = out;
  }
  if (opts.shape) {
    const s = checkShape("tensor", opts.shape);
    if (numelOf(s) !== flat.length) {
      throw new ShapeError(`tensor: shape [${s.join(", ")}] needs ${numelOf(s)} elements, but the data has ${flat.length}`);
    }
    shape = s;
  }
  return finish(fromData(flat, shape), opts);
}

export function full(shape: number[], value: number, opts?: { requiresGrad?: boolean }): Tensor {
  const s = checkShape("full", shape);
  const t = empty(s);
  t.fill_(value);
  return finish(t, opts);
}

export const zeros = (shape: number[], opts?: { requiresGrad?: boolean }) => full(shape, 0, opts);
export const ones = (shape: number[], opts?: { requiresGrad?: boolean }) => full(shape, 1, opts);

/** Uniform on [0, 1). */
export function rand(shape: number[], opts?: { requiresGrad?: boolean }): Tensor {
  const s = checkShape("rand", shape);
  const data = new Float32Array(numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = uniform();
  return finish(fromData(data, s), opts);
}

/** Standard normal. */
export function randn(shape: number[], opts?: { requiresGrad?: boolean }): Tensor {
  const s = checkShape("randn", shape);
  const data = new Float32Array(numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = normal();
  return finish(fromData(data, s), opts);
}

/** Uniform on [low, high) (parameter initialisation). */
export function uniformTensor(shape: number[], low: number, high: number): Tensor {
  const data = new Float32Array(numelOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * uniform();
  return fromData(data, shape);
}

/** arange(end) or arange(start, end, step = 1), like torch.arange (float32). */
export function arange(a: number, b?: number, step = 1): Tensor {
  const [start, end] = b === undefined ? [0, a] : [a, b];
  if (step === 0 || !Number.isFinite(step)) throw new ShapeError(`arange: step must be a non-zero finite number, but got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new ShapeError(`arange: start and end must be finite numbers, but got ${start} and ${end}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromData(data, [n]);
}
