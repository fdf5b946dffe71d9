// Reading the PyTorch fixtures (test/fixtures/*.json) and comparing results with them.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { tensor, type Tensor } from "../../src/index.js";

export interface FixtureTensor { shape: number[]; data: (number | string)[] }

const dir = new URL("../fixtures/", import.meta.url);

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dir), "utf8"));
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
