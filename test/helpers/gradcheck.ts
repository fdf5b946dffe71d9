// Finite-difference gradient checks against f64 reference forwards.
import { expect } from "vitest";

/**
 * Checks analytic gradient `grad` of L(x) = <f(x), gy> at sampled indices, with central differences of the f64
 * reference forward `f`. `x` is the float32 point (as f64 values).
 */
export function checkGrad(
  what: string, x: ArrayLike<number>, grad: ArrayLike<number>, f: (x: Float64Array) => ArrayLike<number>,
  gy: ArrayLike<number>, samples = 12, eps = 1e-3, tol = 2e-3,
): void {
  const base = Float64Array.from(x);
  const loss = (v: Float64Array) => {
    const y = f(v);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * gy[i];
    return s;
  };
  const n = base.length;
  const picks = new Set<number>([0, n - 1]);
  for (let k = 0; picks.size < Math.min(n, samples); k++) picks.add(Math.floor(((k * 2654435761) % 4294967296) / 4294967296 * n));
  for (const i of picks) {
    const orig = base[i];
    base[i] = orig + eps;
    const up = loss(base);
    base[i] = orig - eps;
    const down = loss(base);
    base[i] = orig;
    const numeric = (up - down) / (2 * eps);
    const err = Math.abs(numeric - grad[i]);
    expect(err, `${what}[${i}]: analytic ${grad[i]} vs numeric ${numeric}`).toBeLessThan(tol * (1 + Math.abs(numeric)));
  }
}
