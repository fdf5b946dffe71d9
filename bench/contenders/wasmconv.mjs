// Contenders "wasmconv": the built package (../../build, what `import "wasmconv"` resolves to) at two levels.
//   op      the public API: F.conv2d(x, w, b, opts) etc. on tensors already in wasm memory; the previous
//           output is disposed inside the timed region (like tfjs's dispose).
//   kernel  the raw kernel through the typed wrappers of src/kernels (build/kernels/*.js) on preallocated
//           buffers: what the facade costs is the difference. Backward kernels accumulate (+=), so their
//           timed region is fill_f32(grad, 0) + the kernel, which is what producing a gradient costs.
// The variant ("f32x4" SIMD or "scalar" twin) is selected with setKernelVariant before each contender's turn.
import * as wc from "../../build/index.js";
import { heapF32, wasm } from "../../build/wasm.js";
import * as KC from "../../build/kernels/conv.js";
import * as KP from "../../build/kernels/pool.js";
import { stepResult } from "../util.mjs";

const { F, nn, optim } = wc;

function shapeOf(w) {
  const g = w.geom;
  return {
    x: [g.N, g.C, g.H, g.W],
    w: w.kind === "conv_transpose2d" ? [g.C, g.O / g.G, g.KH, g.KW] : [g.O, g.C / g.G, g.KH, g.KW],
    y: [g.N, w.kind.includes("pool") ? g.C : g.O, g.OH, g.OW],
  };
}

const t = (data, shape) => wc.tensor(data, { shape });
const convOpts = (g) => ({ stride: [g.sh, g.sw], padding: [g.ph, g.pw] });
const poolGeom = (g) => ({ P: g.N * g.C, H: g.H, W: g.W, OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw, dh: 1, dw: 1 });

/** Raw buffers in linear memory, freed on dispose. */
function buffers() {
  const ptrs = [];
  return {
    put(data) {
      const p = wasm().alloc(Math.max(4, data.length * 4));
      heapF32().set(data, p >> 2);
      ptrs.push(p);
      return p;
    },
    empty(n) {
      const p = wasm().alloc(Math.max(4, n * 4));
      ptrs.push(p);
      return p;
    },
    read: (p, n) => heapF32().slice(p >> 2, (p >> 2) + n),
    free() { for (const p of ptrs) wasm().free(p); ptrs.length = 0; },
  };
}

/** The public-API level. */
function prepareOp(w, d) {
  if (w.kind === "lenet_step") return prepareLenet(d);
  const g = w.geom, s = shapeOf(w);
  let last = null;
  const owned = [];
  const keep = (x) => { owned.push(x); return x; };
  const handle = (fn) => ({
    run() { last?.dispose(); last = fn(); },
    result: () => last.toFloat32Array(),
    dispose() { last?.dispose(); last = null; for (const x of owned) x.dispose(); },
  });
  switch (w.kind) {
    case "edge": {
      const x = keep(t(d.x, s.x)), k = keep(t(d.w, s.w));
      return handle(() => F.conv2d(x, k));
    }
    case "edge_e2e": {
      // tensor(...) from the JS data, the convolution, toFloat32Array(); input and output disposed.
      const k = keep(t(d.w, s.w));
      let out = null;
      return {
        run() {
          const x = wc.tensor(d.x, { shape: [1, 1, 6, 8] });
          const y = F.conv2d(x, k);
          out = y.toFloat32Array();
          x.dispose();
          y.dispose();
        },
        result: () => out,
        dispose() { k.dispose(); },
      };
    }
    case "conv2d": {
      const x = keep(t(d.x, s.x)), wt = keep(t(d.w, s.w)), b = d.b ? keep(t(d.b, [g.O])) : null;
      const o = { ...convOpts(g), groups: g.G };
      return handle(() => F.conv2d(x, wt, b, o));
    }
    case "conv_transpose2d": {
      const x = keep(t(d.x, s.x)), wt = keep(t(d.w, s.w));
      const o = { ...convOpts(g), groups: g.G };
      return handle(() => F.convTranspose2d(x, wt, null, o));
    }
    case "max_pool2d": {
      const x = keep(t(d.x, s.x));
      const o = convOpts(g);
      return handle(() => F.maxPool2d(x, [g.KH, g.KW], o));
    }
    case "avg_pool2d": {
      const x = keep(t(d.x, s.x));
      const o = convOpts(g);
      return handle(() => F.avgPool2d(x, [g.KH, g.KW], o));
    }
    default:
      return { na: `no op-level row for ${w.kind} (backward rows time the raw kernels)` };
  }
}

/** LeNet-5 with nn modules, autograd and optim.SGD; nothing disposed but the previous loss (as a user would write it). */
function prepareLenet(d) {
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Sigmoid(), new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
  );
  const state = {};
  for (const p of d.params) state[p.name] = { shape: p.shape, data: Array.from(p.data) };
  model.loadStateDict(state);
  const opt = new optim.SGD(model.parameters(), { lr: d.lr });
  const lossFn = new nn.CrossEntropyLoss();
  const x = t(d.images, [d.labels.length, 1, 28, 28]);
  const labels = d.labels;
  let loss = null;
  return {
    run() {
      opt.zeroGrad();
      const l = lossFn.forward(model.forward(x), labels);
      l.backward();
      opt.step();
      loss?.dispose();
      loss = l;
    },
    result() {
      const sd = model.stateDict();
      const after = d.params.map((p) => Float32Array.from(sd[p.name].data));
      return stepResult(loss.item(), d.params.map((p) => p.data), after, d.lr);
    },
    dispose() {
      loss?.dispose();
      x.dispose();
      for (const p of model.parameters()) { p.grad?.dispose(); p.dispose(); }
    },
  };
}

/** The raw-kernel level. */
function prepareKernel(w, d) {
  const g = w.geom, B = buffers();
  const fill = wasm().fill_f32;
  const nOut = g.N * (w.kind.includes("pool") ? g.C : g.O) * g.OH * g.OW;
  const nIn = g.N * g.C * g.H * g.W;
  const handle = (run, out, n) => ({ run, result: () => B.read(out, n), dispose: () => B.free() });
  switch (w.kind) {
    case "edge":
    case "conv2d": {
      const x = B.put(d.x), wt = B.put(d.w), b = d.b ? B.put(d.b) : 0, y = B.empty(nOut);
      return handle(() => KC.conv2dFwd(y, x, wt, b, g), y, nOut);
    }
    case "conv2d_bwd_input": {
      const gy = B.put(d.gy), wt = B.put(d.w), gx = B.empty(nIn);
      return { ...handle(() => { fill(gx, nIn, 0); KC.conv2dBwdInput(gx, gy, wt, g); }, gx, nIn), fill: () => fill(gx, nIn, 0) };
    }
    case "conv2d_bwd_filter": {
      const n = g.O * (g.C / g.G) * g.KH * g.KW;
      const gy = B.put(d.gy), x = B.put(d.x), gw = B.empty(n);
      return { ...handle(() => { fill(gw, n, 0); KC.conv2dBwdFilter(gw, gy, x, g); }, gw, n), fill: () => fill(gw, n, 0) };
    }
    case "conv_transpose2d": {
      const x = B.put(d.x), wt = B.put(d.w), y = B.empty(nOut);
      return handle(() => KC.convTranspose2dFwd(y, x, wt, 0, g), y, nOut);
    }
    case "max_pool2d": {
      const pg = poolGeom(g), x = B.put(d.x), y = B.empty(nOut), idx = B.empty(nOut);
      return handle(() => KP.maxPool2dFwd(y, idx, x, pg), y, nOut);
    }
    case "avg_pool2d": {
      const pg = poolGeom(g), x = B.put(d.x), y = B.empty(nOut);
      return handle(() => KP.avgPool2dFwd(y, x, pg, true, null), y, nOut);
    }
    case "max_pool2d_bwd": {
      const pg = poolGeom(g), x = B.put(d.x), y = B.empty(nOut), idx = B.empty(nOut);
      KP.maxPool2dFwd(y, idx, x, pg); // the argmax the forward saves for backward
      const gy = B.put(d.gy), gx = B.empty(nIn);
      // overwrite mode: what F.maxPool2d's gradient does (gx is fresh, so no separate zero fill)
      return { ...handle(() => KP.maxPool2dBwd(gx, gy, idx, pg, true), gx, nIn), fill: () => fill(gx, nIn, 0) };
    }
    case "avg_pool2d_bwd": {
      const pg = poolGeom(g), gy = B.put(d.gy), gx = B.empty(nIn);
      return { ...handle(() => KP.avgPool2dBwd(gx, gy, pg, true, null, true), gx, nIn), fill: () => fill(gx, nIn, 0) };
    }
    default:
      return { na: `no raw-kernel row for ${w.kind}` };
  }
}

/**
 * The bare wasm export, no wrapper: shows what the typed wrapper (kernel lookup, argument spreading) costs on
 * the latency workload. It repeats the ABI's argument order, which src/kernels/conv.ts owns; a change there
 * makes this row fail its check rather than time something wrong.
 */
function prepareExport(w, d, variant) {
  const g = w.geom, B = buffers();
  const x = B.put(d.x), k = B.put(d.w), n = g.OH * g.OW, y = B.empty(n);
  const fn = wasm()[`conv2d_fwd_${variant}`];
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G } = g;
  return {
    run: () => fn(y, x, k, 0, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G),
    result: () => B.read(y, n),
    dispose: () => B.free(),
  };
}

function contender(id, label, variant, level) {
  return {
    id, label, variant, level,
    // Rows that would only say "n/a" are left out: backward rows have no op level (they time the raw
    // kernels), the e2e and training rows have no kernel level for f32x4 (the op row is that measurement).
    appliesTo(w) {
      if (level === "export") return w.kind === "edge";
      const apiOnly = w.kind === "edge_e2e" || w.kind === "lenet_step";
      if (level === "op") return !w.kind.endsWith("_bwd") && !w.kind.includes("_bwd_");
      return variant === "scalar" || !apiOnly;
    },
    async enter() { wc.setKernelVariant(variant); },
    prepare(w, d) {
      wc.setKernelVariant(variant);
      if (level === "op") return prepareOp(w, d);
      if (level === "export") return prepareExport(w, d, variant);
      // The scalar twin is timed at the kernel level, and through the API where only the API makes sense.
      if (w.kind === "edge_e2e" || w.kind === "lenet_step") {
        if (variant === "f32x4") return { na: "API-level only (see the op row)" };
        return { ...prepareOp(w, d), label: `wasmconv scalar (op)` };
      }
      return prepareKernel(w, d);
    },
  };
}

export const wasmconvContenders = [
  contender("wasmconv-op", "wasmconv f32x4 (op)", "f32x4", "op"),
  contender("wasmconv-kernel", "wasmconv f32x4 (kernel)", "f32x4", "kernel"),
  contender("wasmconv-export", "wasmconv f32x4 (bare wasm export)", "f32x4", "export"),
  contender("wasmconv-scalar", "wasmconv scalar (kernel)", "scalar", "kernel"),
];

/** Which kernel variant the package picked by itself (before any setKernelVariant). */
export function wasmconvInfo() {
  return { build: wc.wasmBuild(), defaultVariant: wc.kernelVariant(), memory: wc.memoryStats() };
}
