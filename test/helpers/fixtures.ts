// Reading the PyTorch fixtures (test/fixtures/*.json) and comparing results with them.
// The JSON files are imported through Vite (a static map built at transform time), not read with node:fs,
// so that the same suites also run in Chromium (the "chromium" project in vitest.config.ts).
import { expect } from "vitest";
import { tensor, type Tensor } from "../../src/index.js";

export interface FixtureTensor { shape: number[]; data: (number | string)[] }

const fixtures: Record<string, unknown> = import.meta.glob("../fixtures/*.json", { eager: true, import: "default" });

/** The parsed fixture test/fixtures/<name> (e.g. "conv2d.json"), synchronously. */
export function loadFixture<T = any>(name: string): T {
  const f = fixtures[`../fixtures/${name}`];
  if (f === undefined) throw new Error(`loadFixture: no fixture test/fixtures/${name}`);
  return structuredClone(f) as T; // a fresh copy per call, as JSON.parse gave before
}

/** Decodes the fixtures' non-finite encoding ("NaN", "Infinity", "-Infinity"). */
export function num(v: number | string): number {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v as number;
}

export function data(t: FixtureTensor): Float32Array {
  return Float32Array.from(t.data, num);
}

export function toTensor(t: FixtureTensor, requiresGrad = false): Tensor {
  return tensor(data(t), { shape: t.shape, requiresGrad });
}

/** Elementwise |a - b| <= atol + rtol * |b|, NaN matching NaN and infinities matching exactly. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) { worst = i; worstErr = Infinity; break; }
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) { worst = i; worstErr = Infinity; break; }
      continue;
    }
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr)) { worst = i; worstErr = err; }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

export function expectTensor(t: Tensor, f: FixtureTensor, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect([...t.shape], `${what}: shape`).toEqual(f.shape);
  expectClose(t.toFloat32Array(), data(f), what, rtol, atol);
}
