// Optimizer kernels (assembly/optim.ts) against a plain TypeScript transcription of PyTorch's single-tensor
// SGD / Adam / AdamW (torch/optim/sgd.py, adam.py), run for several steps, both twins.
//
// The reference does each float32 tensor op as Math.fround(op) in PyTorch's order (exactly what f32 hardware
// does for + - * / sqrt), and the Python-side scalar math in f64, so kernels must match it bit for bit. A second
// check against the same formulas in plain f64 guards the reference itself.
import { afterEach, describe, expect, it } from "vitest";
import { heapF32, setKernelVariant } from "../../src/wasm.js";
import { adamStep, adamwStep, sgdStep, type AdamHyper, type SgdHyper } from "../../src/kernels/optim.js";
import { freeAll, getF32, VARIANTS, zerosPtr } from "../helpers/wasm_buffers.js";

afterEach(() => freeAll());

type Round = (x: number) => number;
const F32: Round = Math.fround;
const F64: Round = (x) => x;

function put(data: ArrayLike<number>, off = 0): number {
  const base = zerosPtr(data.length + off);
  heapF32().set(data, (base >> 2) + off);
  return base + off * 4;
}
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
const randVec = (n: number, r: () => number, scale = 1) => Array.from({ length: n }, () => F32((r() * 2 - 1) * scale));

/** torch.optim.SGD, one step on plain arrays (mutates p and buf). */
function refSgd(p: number[], g: number[], buf: number[], h: SgdHyper, first: boolean, f: Round): void {
  const wd = f(h.weightDecay), mom = f(h.momentum), damp1 = f(1 - h.dampening), nlr = f(-h.lr);
  for (let i = 0; i < p.length; i++) {
    let d = g[i];
    if (h.weightDecay !== 0) d = f(d + f(wd * p[i])); // d_p = d_p.add(param, alpha=weight_decay)
    if (h.momentum !== 0) {
      buf[i] = first ? d : f(f(buf[i] * mom) + f(damp1 * d)); // buf.mul_(momentum).add_(d_p, alpha=1-dampening)
      d = h.nesterov ? f(d + f(mom * buf[i])) : buf[i];
    }
    p[i] = f(p[i] + f(nlr * d)); // param.add_(d_p, alpha=-lr)
  }
}

/** torch.optim.Adam / AdamW (decoupled), one step (mutates p, m, v). */
function refAdam(
  p: number[], g: number[], m: number[], v: number[], h: AdamHyper, step: number, decoupled: boolean, f: Round,
): void {
  const w = f(1 - h.beta1); // exp_avg.lerp_(grad, 1 - beta1)
  const bc1 = 1 - h.beta1 ** step;
  const bc2 = 1 - h.beta2 ** step;
  const stepSize = h.lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < p.length; i++) {
    if (decoupled) p[i] = f(p[i] * f(1 - h.lr * h.weightDecay)); // param.mul_(1 - lr * weight_decay)
    let d = g[i];
    if (!decoupled && h.weightDecay !== 0) d = f(d + f(f(h.weightDecay) * p[i]));
    const diff = f(d - m[i]);
    m[i] = Math.abs(w) < 0.5 ? f(m[i] + f(w * diff)) : f(d - f(diff * f(1 - w))); // ATen lerp
    v[i] = f(f(v[i] * f(h.beta2)) + f(f(f(1 - h.beta2) * d) * d)); // mul_(beta2).addcmul_(g, g, value=1-beta2)
    const denom = f(f(f(Math.sqrt(v[i])) / f(bc2Sqrt)) + f(h.eps)); // (sqrt(v) / bc2_sqrt).add_(eps)
    p[i] = f(p[i] + f(f(f(-stepSize) * m[i]) / denom)); // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}

function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: number): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

const SGD_CASES: Array<[string, SgdHyper]> = [
  ["plain", { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }],
  ["momentum", { lr: 0.03, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false }],
  ["dampening", { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0, nesterov: false }],
  ["nesterov", { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true }],
  ["weight decay", { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false }],
  ["everything", { lr: 0.02, momentum: 0.7, dampening: 0.1, weightDecay: 0.05, nesterov: true }],
];
const ADAM_CASES: Array<[string, AdamHyper]> = [
  ["defaults", { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }],
  ["weight decay", { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }],
  ["small beta1 (lerp's other branch), big eps", { lr: 0.05, beta1: 0.3, beta2: 0.9, eps: 1e-3, weightDecay: 0.1 }],
];
const SIZES = [1, 3, 4, 5, 8, 13, 37];
const STEPS = 6;

for (const variant of VARIANTS) {
  describe(`optimizer kernels (${variant})`, () => {
    for (const [name, h] of SGD_CASES) {
      it(`sgd ${name}: ${STEPS} steps match PyTorch's formulas`, () => {
        setKernelVariant(variant);
        for (const n of SIZES) {
          const r = rng(n * 17 + name.length);
          const p0 = randVec(n, r, 2);
          const pe = p0.slice(), pd = p0.slice(), be = new Array(n).fill(0), bd = new Array(n).fill(0);
          const off = n % 4;
          const pp = put(p0, off), bp = put(new Array(n).fill(0), off);
          for (let s = 0; s < STEPS; s++) {
            const g = randVec(n, r);
            const gp = put(g, off);
            sgdStep(pp, gp, bp, n, h, s === 0);
            expectExact(getF32(gp, n), g, "g untouched");
            refSgd(pe, g, be, h, s === 0, F32);
            refSgd(pd, g, bd, h, s === 0, F64);
          }
          expectExact(getF32(pp, n), pe, `p (n=${n})`);
          if (h.momentum !== 0) expectExact(getF32(bp, n), be, `buf (n=${n})`);
          expectClose(getF32(pp, n), pd, `p vs f64 (n=${n})`, 1e-5);
        }
      });
    }

    for (const decoupled of [false, true]) {
      for (const [name, h0] of ADAM_CASES) {
        const h = decoupled && h0.weightDecay === 0 ? { ...h0, weightDecay: 1e-2 } : h0; // AdamW's default
        it(`${decoupled ? "adamw" : "adam"} ${name}: ${STEPS} steps match PyTorch's formulas`, () => {
          setKernelVariant(variant);
          for (const n of SIZES) {
            const r = rng(n * 31 + name.length);
            const p0 = randVec(n, r, 2);
            const pe = p0.slice(), pd = p0.slice();
            const me = new Array(n).fill(0), ve = new Array(n).fill(0);
            const md = new Array(n).fill(0), vd = new Array(n).fill(0);
            const off = (n + 1) % 4;
            const pp = put(p0, off), mp = put(me, off), vp = put(ve, off);
            for (let s = 1; s <= STEPS; s++) {
              const g = randVec(n, r, s === 3 ? 1e-3 : 1);
              const gp = put(g, off);
              (decoupled ? adamwStep : adamStep)(pp, gp, mp, vp, n, h, s);
              expectExact(getF32(gp, n), g, "g untouched");
              refAdam(pe, g, me, ve, h, s, decoupled, F32);
              refAdam(pd, g, md, vd, h, s, decoupled, F64);
            }
            expectExact(getF32(pp, n), pe, `p (n=${n})`);
            expectExact(getF32(mp, n), me, `m (n=${n})`);
            expectExact(getF32(vp, n), ve, `v (n=${n})`);
            expectClose(getF32(pp, n), pd, `p vs f64 (n=${n})`, 1e-5);
          }
        });
      }
    }

    it("adam's first step moves every parameter by about lr (bias correction)", () => {
      setKernelVariant(variant);
      const n = 9;
      const pp = put(new Array(n).fill(1)), mp = zerosPtr(n), vp = zerosPtr(n);
      const g = Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (0.1 + i));
      adamStep(pp, put(g), mp, vp, n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, 1);
      expectClose(getF32(pp, n), g.map((gi) => 1 - 0.01 * Math.sign(gi)), "p", 1e-6);
    });
  });
}
