// Where the time goes, for the two rows furthest from their targets: the edge-detection call path (export,
// typed wrapper, public op, tensor creation, read-back) and the LeNet-5 training step at batch 256 (each
// layer's forward through the API, backward, SGD; then the raw kernels at the step's shapes; then the cost of
// the bounded-memory policy when nothing is disposed). Run after `npm run build`:  node bench/breakdown.mjs
import * as wc from "../build/index.js";
import { heapF32, wasm } from "../build/wasm.js";
import * as KC from "../build/kernels/conv.js";
import * as KP from "../build/kernels/pool.js";
import * as KE from "../build/kernels/elementwise.js";
import { WORKLOADS, makeData, withOutput, edgeInput } from "./workloads.mjs";
import { stats } from "./util.mjs";

const { F, nn, optim } = wc;
const now = () => performance.now();
const ex = wasm();

/** Median per-call µs of fn over `samples` samples of `inner` calls, after a warm-up. */
function perCall(fn, inner, samples = 15) {
  for (let i = 0; i < inner * 3; i++) fn();
  const ts = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    for (let i = 0; i < inner; i++) fn();
    ts.push(((now() - t0) / inner) * 1000);
  }
  return stats(ts).median;
}

function show(title, rows, unit) {
  console.log(`\n### ${title}\n\n| part | ${unit} |\n| --- | ---: |`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v < 10 ? v.toFixed(2) : v.toFixed(1)} |`);
}

// ---- 1. edge detection: the layers of one call ----
{
  const xData = edgeInput();
  const x = wc.tensor(xData, { shape: [1, 1, 6, 8] }), k = wc.tensor([1, -1], { shape: [1, 1, 1, 2] });
  const g = withOutput("conv2d", { N: 1, C: 1, H: 6, W: 8, O: 1, KH: 1, KW: 2, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, G: 1 });
  const xp = x._ptr(), kp = k._ptr(), yp = ex.alloc(42 * 4);
  const fn = ex.conv2d_fwd_f32x4;
  let last = null;
  const y0 = F.conv2d(x, k);
  const n = 20000;
  show("edge-6x8: one call, layer by layer", [
    ["bare wasm export conv2d_fwd_f32x4", perCall(() => fn(yp, xp, kp, 0, 1, 1, 6, 8, 1, 1, 2, 6, 7, 1, 1, 0, 0, 1, 1, 1), n)],
    ["typed wrapper kernels/conv.conv2dFwd", perCall(() => KC.conv2dFwd(yp, xp, kp, 0, g), n)],
    ["F.conv2d(x, k) + dispose", perCall(() => { last?.dispose(); last = F.conv2d(x, k); }, n)],
    ["tensor(Float32Array(48), {shape}) + dispose", perCall(() => wc.tensor(xData, { shape: [1, 1, 6, 8] }).dispose(), n)],
    ["y.toFloat32Array()", perCall(() => y0.toFloat32Array(), n)],
    ["alloc(168) + free", perCall(() => ex.free(ex.alloc(168)), n)],
  ], "µs per call");
  last?.dispose();
  ex.free(yp);
}

// ---- 2. LeNet-5 step at batch 256 ----
const w = WORKLOADS.find((v) => v.id === "lenet5-step-b256");
const d = makeData(w);
const B = d.labels.length;

function lenet() {
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Sigmoid(), new nn.AvgPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.AvgPool2d(2, { stride: 2 }), new nn.Flatten(),
    new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10));
  const state = {};
  for (const p of d.params) state[p.name] = { shape: p.shape, data: Array.from(p.data) };
  model.loadStateDict(state);
  return model;
}

function stepPhases(dispose, steps = 12) {
  const model = lenet();
  const layers = model.namedChildren().map(([, m]) => m);
  const opt = new optim.SGD(model.parameters(), { lr: d.lr });
  const x = wc.tensor(d.images, { shape: [B, 1, 28, 28] });
  const acc = new Map();
  const add = (k, t) => { if (!acc.has(k)) acc.set(k, []); acc.get(k).push(t); };
  const spills0 = wc.memoryStats().spills;
  for (let it = 0; it < steps + 3; it++) {
    const rec = it >= 3;
    const t0 = now();
    opt.zeroGrad();
    let h = x, t = now();
    const outs = [];
    layers.forEach((m, i) => {
      h = m.forward(h);
      outs.push(h);
      const t1 = now();
      if (rec) add(`fwd ${i} ${m.constructor.name}`, t1 - t);
      t = t1;
    });
    const loss = F.crossEntropy(h, d.labels);
    if (rec) add("cross-entropy", now() - t);
    t = now();
    loss.backward();
    if (rec) add("backward (all layers)", now() - t);
    t = now();
    opt.step();
    if (rec) add("SGD step", now() - t);
    if (dispose) { for (const o of outs) o.dispose(); loss.dispose(); }
    if (rec) add("whole step", now() - t0);
  }
  const spills = (wc.memoryStats().spills - spills0) / (steps + 3);
  return { rows: [...acc].map(([k, v]) => [k, stats(v).median]), spills };
}

{
  const kept = stepPhases(false);
  const disposed = stepPhases(true);
  show("LeNet-5 step, batch 256, nothing disposed (as the bench times it)", kept.rows, "ms (median)");
  console.log(`\nspills per step: ${kept.spills.toFixed(1)} (nothing disposed) vs ${disposed.spills.toFixed(1)} (outputs disposed); ` +
    `whole step ${kept.rows.at(-1)[1].toFixed(1)} ms vs ${disposed.rows.at(-1)[1].toFixed(1)} ms disposed`);
}

// ---- 3. the raw kernels at the step's shapes ----
{
  const buf = (n) => { const p = ex.alloc(n * 4); heapF32().fill(0.01, p >> 2, (p >> 2) + n); return p; };
  const g1 = withOutput("conv2d", { N: B, C: 1, H: 28, W: 28, O: 6, KH: 5, KW: 5, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1, G: 1 });
  const g2 = withOutput("conv2d", { N: B, C: 6, H: 14, W: 14, O: 16, KH: 5, KW: 5, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, G: 1 });
  const n1 = B * 6 * 784, n2 = B * 6 * 196, n3 = B * 16 * 100;
  const x1 = buf(B * 784), w1 = buf(150), b1 = buf(6), a1 = buf(n1), h1 = buf(n1), gw1 = buf(150);
  const x2 = buf(n2), w2 = buf(2400), b2 = buf(16), a2 = buf(n3), gx2 = buf(n2), gw2 = buf(2400), q2 = buf(B * 400);
  const p1 = { P: B * 6, H: 28, W: 28, OH: 14, OW: 14, KH: 2, KW: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 };
  const p2 = { P: B * 16, H: 10, W: 10, OH: 5, OW: 5, KH: 2, KW: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 };
  const rows = [
    ["conv1 fwd (im2col + GEMM, O = 6, K = 25)", perCall(() => KC.conv2dFwd(a1, x1, w1, b1, g1), 1, 9) / 1000],
    ["sigmoid fwd, 1.2M elements", perCall(() => KE.unaryFwd(h1, a1, n1, "sigmoid"), 1, 9) / 1000],
    ["avg pool 1 fwd", perCall(() => KP.avgPool2dFwd(x2, h1, p1, true, null), 1, 9) / 1000],
    ["conv2 fwd (O = 16, K = 150, 10x10 outputs)", perCall(() => KC.conv2dFwd(a2, x2, w2, b2, g2), 1, 9) / 1000],
    ["relu fwd, 410k elements", perCall(() => KE.unaryFwd(a2, a2, n3, "relu"), 1, 9) / 1000],
    ["avg pool 2 fwd", perCall(() => KP.avgPool2dFwd(q2, a2, p2, true, null), 1, 9) / 1000],
    ["avg pool 2 bwd", perCall(() => KP.avgPool2dBwd(a2, q2, p2, true, null), 1, 9) / 1000],
    ["conv2 weight grad", perCall(() => KC.conv2dBwdFilter(gw2, a2, x2, g2), 1, 9) / 1000],
    ["conv2 input grad", perCall(() => KC.conv2dBwdInput(gx2, a2, w2, g2), 1, 9) / 1000],
    ["avg pool 1 bwd", perCall(() => KP.avgPool2dBwd(h1, gx2, p1, true, null), 1, 9) / 1000],
    ["sigmoid bwd, 1.2M elements", perCall(() => KE.unaryBwd(a1, h1, a1, h1, n1, "sigmoid"), 1, 9) / 1000],
    ["conv1 weight grad (O = 6, K = 25, reduction 200k)", perCall(() => KC.conv2dBwdFilter(gw1, a1, x1, g1), 1, 9) / 1000],
    ["conv1 + conv2 bias grads", perCall(() => { KC.conv2dBwdBias(b1, a1, B, 6, 784); KC.conv2dBwdBias(b2, a2, B, 16, 100); }, 1, 9) / 1000],
    ["zero fill of 1.2M floats, wasm fill_f32", perCall(() => ex.fill_f32(h1, n1, 0), 1, 9) / 1000],
    ["zero fill of 1.2M floats, JS TypedArray.fill", perCall(() => heapF32().fill(0, h1 >> 2, (h1 >> 2) + n1), 1, 9) / 1000],
    ["spill-like copy-out of 1.2M floats (slice)", perCall(() => heapF32().slice(h1 >> 2, (h1 >> 2) + n1), 1, 9) / 1000],
  ];
  const sum = rows.slice(0, 13).reduce((a, [, v]) => a + v, 0);
  rows.push(["sum of the step's conv / pool / activation kernels above (linear layers and loss not included)", sum]);
  show("LeNet-5 step kernels at batch 256 (raw, f32x4)", rows, "ms (median)");
}
