// Readable errors: every message names the op, the argument, what was expected and what was given.

/** Thrown for arguments an op cannot accept (shapes, sizes, options). */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** Thrown for misuse of autograd (backward without a gradient, a freed graph, in-place on a leaf). */
export class AutogradError extends Error {
  override name = "AutogradError";
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Throws a ShapeError `op: message`. Call sites read `if (!cond) fail(op, `...`)`, so the message is only
 * built on failure (a closure per check showed up in the per-call overhead of small ops). */
export function fail(op: string, message: string): never {
  throw new ShapeError(`${op}: ${message}`);
}

/** Checks that `v` is an integer within [min, max] and returns it. */
export function checkInt(op: string, arg: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ShapeError(`${op}: ${arg} must be ${range}, but got ${typeof v === "number" ? v : JSON.stringify(v)}`);
  }
  return v;
}

/** Normalises an int-or-pair argument to a pair of integers >= min. */
export function pair(op: string, arg: string, v: unknown, min: number): [number, number] {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw new ShapeError(`${op}: ${arg} must be a number or a pair [h, w], but got an array of length ${v.length}`);
    return [checkInt(op, `${arg}[0]`, v[0], min), checkInt(op, `${arg}[1]`, v[1], min)];
  }
  const x = checkInt(op, arg, v, min);
  return [x, x];
}
