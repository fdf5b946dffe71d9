// The wasmconv demo: every number drawn here comes from the package's WebAssembly kernels.
import { F, d2l, kernelVariant, manualSeed, nn, noGrad, optim, rand, ready, tensor } from "wasmconv";
import { drawCurve, drawHeatmap, fmt, stats } from "./heatmap.js";
import { KERNELS, PRESETS, blank } from "./images.js";

const $ = (id) => document.getElementById(id);
const t0 = performance.now();
await ready();
$("variant").textContent = kernelVariant() === "f32x4" ? "WebAssembly SIMD (f32x4)" : "WebAssembly (scalar build)";
$("variant").classList.add(kernelVariant() === "f32x4" ? "ok" : "warn");
$("load-time").textContent = `kernels ready in ${(performance.now() - t0).toFixed(0)} ms`;

const state = {
  image: PRESETS.edges.make(),
  preset: "edges",
  kernel: KERNELS.diff.k.map((r) => r.slice()),
  kernelPreset: "diff",
  pooled: null,
  corrOut: null,
};

// ---------- helpers ----------

/** A 2-D JS array as an (1, 1, h, w) tensor. */
const as4d = (m) => tensor(m).reshape(1, 1, m.length, m[0].length);
/** The (h, w) plane of an (N, C, h, w) tensor as nested arrays; disposes the tensor. */
function plane(t) {
  const [h, w] = t.shape.slice(-2);
  const out = t.reshape(h, w).toArray();
  t.dispose();
  return out;
}
const shapeText = (m) => `[${m.length}, ${m[0]?.length ?? 0}]`;
const ms = (t) => `${(performance.now() - t).toFixed(2)} ms`;
const rangeText = (m) => { const s = stats(m); return `min ${fmt(s.min)} · max ${fmt(s.max)}`; };
const kernelText = (k) => `[${k.map((r) => `[${r.map(fmt).join(", ")}]`).join(", ")}]`;

function showError(id, err) {
  const el = $(id);
  if (err) { el.textContent = err.message ?? String(err); el.hidden = false; } else { el.hidden = true; el.textContent = ""; }
}

function chips(container, items, onPick, active) {
  container.replaceChildren(...Object.entries(items).map(([key, { label }]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.textContent = label;
    b.dataset.key = key;
    b.setAttribute("data-testid", `${container.id}-${key}`);
    b.addEventListener("click", () => onPick(key));
    return b;
  }));
  markChip(container, active);
}
function markChip(container, key) {
  for (const b of container.children) b.classList.toggle("active", b.dataset.key === key);
}

/** A grid of number inputs bound to matrix `m` (edited in place); `onChange` after each edit. */
function numberGrid(container, m, onChange, step = "0.1") {
  container.style.gridTemplateColumns = `repeat(${m[0].length}, 4.2rem)`;
  container.replaceChildren();
  m.forEach((row, i) => row.forEach((v, j) => {
    const input = document.createElement("input");
    input.type = "number";
    input.step = step;
    input.value = fmt(v);
    input.setAttribute("aria-label", `row ${i + 1}, column ${j + 1}`);
    input.dataset.i = String(i);
    input.dataset.j = String(j);
    input.addEventListener("input", () => {
      const x = parseFloat(input.value);
      m[i][j] = Number.isFinite(x) ? x : 0;
      onChange();
    });
    container.append(input);
  }));
}

// ---------- 1. input image ----------

const inputCanvas = $("input-canvas");
let inputCell = 10;

function renderInput() {
  inputCell = drawHeatmap(inputCanvas, state.image, { maxPx: Math.min(336, inputCanvas.parentElement.clientWidth - 4 || 336), labels: "auto", signed: false });
  document.querySelector('[data-testid="input-shape"]').textContent = shapeText(state.image);
}

function setImage(key) {
  state.preset = key;
  state.image = PRESETS[key].make();
  markChip($("image-presets"), key);
  update();
}

chips($("image-presets"), PRESETS, setImage, state.preset);

let painting = null;
function paintAt(ev) {
  const r = inputCanvas.getBoundingClientRect();
  const i = Math.floor((ev.clientY - r.top) / inputCell), j = Math.floor((ev.clientX - r.left) / inputCell);
  const h = state.image.length, w = state.image[0].length;
  if (i < 0 || j < 0 || i >= h || j >= w) return;
  const brush = Number($("brush").value);
  const erase = painting === "erase";
  const small = h <= 12; // the 6x8 image: one cell per click
  for (let di = -2; di <= 2; di++) {
    for (let dj = -2; dj <= 2; dj++) {
      const y = i + di, x = j + dj;
      if (y < 0 || x < 0 || y >= h || x >= w) continue;
      const d = Math.hypot(di, dj);
      let v;
      if (small) v = d === 0 ? 1 : 0;
      else if (brush === 1) v = d === 0 ? 1 : 0;
      else if (brush === 2) v = d === 0 ? 1 : d <= 1 ? 0.6 : 0;
      else v = d <= 1 ? 1 : d <= 1.5 ? 0.7 : d <= 2 ? 0.3 : 0;
      if (v === 0) continue;
      state.image[y][x] = erase ? Math.max(0, Math.min(state.image[y][x], 1 - v)) : Math.max(state.image[y][x], v);
    }
  }
  scheduleUpdate();
}
inputCanvas.addEventListener("contextmenu", (e) => e.preventDefault());
inputCanvas.addEventListener("pointerdown", (e) => {
  painting = e.button === 2 || $("erase").checked ? "erase" : "paint";
  inputCanvas.setPointerCapture(e.pointerId);
  state.preset = null;
  markChip($("image-presets"), null);
  paintAt(e);
});
inputCanvas.addEventListener("pointermove", (e) => { if (painting) paintAt(e); });
const stopPainting = () => { painting = null; };
inputCanvas.addEventListener("pointerup", stopPainting);
inputCanvas.addEventListener("pointercancel", stopPainting);
$("clear").addEventListener("click", () => {
  state.image = blank(state.image.length, state.image[0].length);
  state.preset = null;
  markChip($("image-presets"), null);
  update();
});
$("invert").addEventListener("click", () => {
  state.image = state.image.map((r) => r.map((v) => +(1 - v).toFixed(3)));
  state.preset = null;
  markChip($("image-presets"), null);
  update();
});

let pending = false;
function scheduleUpdate() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; update(); });
}

// ---------- 2. cross-correlation ----------

function setKernel(key) {
  state.kernelPreset = key;
  state.kernel = KERNELS[key].k.map((r) => r.slice());
  $("kernel-size").value = `${state.kernel.length}x${state.kernel[0].length}`;
  markChip($("kernel-presets"), key);
  buildKernelEditor();
  update();
}
function buildKernelEditor() {
  numberGrid($("kernel-grid"), state.kernel, () => {
    state.kernelPreset = null;
    markChip($("kernel-presets"), null);
    scheduleUpdate();
  });
  document.querySelector('[data-testid="kernel-shape"]').textContent = shapeText(state.kernel);
}
chips($("kernel-presets"), KERNELS, setKernel, state.kernelPreset);
$("kernel-size").addEventListener("change", () => {
  const [kh, kw] = $("kernel-size").value.split("x").map(Number);
  const old = state.kernel;
  state.kernel = Array.from({ length: kh }, (_, i) => Array.from({ length: kw }, (_, j) => old[i]?.[j] ?? 0));
  state.kernelPreset = null;
  markChip($("kernel-presets"), null);
  buildKernelEditor();
  update();
});
$("corr-stride").addEventListener("change", update);
$("corr-padding").addEventListener("change", update);

function renderCorr() {
  const stride = Number($("corr-stride").value), padding = Number($("corr-padding").value);
  const X = as4d(state.image), K = as4d(state.kernel);
  try {
    const t = performance.now();
    let out;
    if (stride === 1 && padding === 0) {
      // the chapter's own helper on 2-D tensors
      const Y = d2l.corr2d(tensor(state.image), tensor(state.kernel));
      out = Y.toArray();
      Y.dispose();
      $("corr-code").textContent = `Y = d2l.corr2d(X, K)   // K = ${kernelText(state.kernel)}  ·  ${ms(t)}`;
    } else {
      out = plane(F.conv2d(X, K, undefined, { stride, padding }));
      $("corr-code").textContent = `Y = F.conv2d(X, K, undefined, { stride: ${stride}, padding: ${padding} })  ·  ${ms(t)}`;
    }
    state.corrOut = out;
    drawHeatmap($("corr-canvas"), out, { maxPx: 300 });
    document.querySelector('[data-testid="corr-shape"]').textContent = shapeText(out);
    $("corr-range").textContent = rangeText(out);
    showError("corr-error", null);
  } catch (err) {
    state.corrOut = null;
    showError("corr-error", err);
  } finally {
    X.dispose();
    K.dispose();
  }
}

// ---------- 3. pooling ----------

for (const id of ["pool-k", "pool-stride", "pool-padding"]) $(id).addEventListener("change", update);

function renderPool() {
  const k = Number($("pool-k").value), stride = Number($("pool-stride").value), padding = Number($("pool-padding").value);
  const X = as4d(state.image);
  try {
    const t = performance.now();
    const mx = plane(F.maxPool2d(X, k, { stride, padding }));
    const av = plane(F.avgPool2d(X, k, { stride, padding }));
    state.pooled = mx;
    drawHeatmap($("pool-max-canvas"), mx, { maxPx: 200, signed: false });
    drawHeatmap($("pool-avg-canvas"), av, { maxPx: 200, signed: false });
    document.querySelector('[data-testid="pool-max-shape"]').textContent = shapeText(mx);
    document.querySelector('[data-testid="pool-avg-shape"]').textContent = shapeText(av);
    $("pool-code").textContent = `F.maxPool2d(X, ${k}, { stride: ${stride}, padding: ${padding} })\nF.avgPool2d(X, ${k}, { stride: ${stride}, padding: ${padding} })   ·  both in ${ms(t)}`;
    showError("pool-error", null);
  } catch (err) {
    state.pooled = null;
    for (const id of ["pool-max-canvas", "pool-avg-canvas"]) drawHeatmap($(id), [[0]], { maxPx: 24, labels: false });
    for (const id of ["pool-max-shape", "pool-avg-shape"]) document.querySelector(`[data-testid="${id}"]`).textContent = "–";
    showError("pool-error", err);
  } finally {
    X.dispose();
  }
}

// ---------- 4. transposed convolution ----------

const tconvKernel = [[0, 1], [2, 3]];
numberGrid($("tconv-kernel"), tconvKernel, scheduleUpdate);
for (const id of ["tconv-source", "tconv-stride", "tconv-padding"]) $(id).addEventListener("change", update);

function renderTconv() {
  const source = $("tconv-source").value;
  const stride = Number($("tconv-stride").value), padding = Number($("tconv-padding").value);
  const src = source === "d2l" ? [[0, 1], [2, 3]] : source === "pool" ? state.pooled : state.image;
  if (!src) {
    showError("tconv-error", new Error("the max-pool panel has no output to upsample (see its error)"));
    return;
  }
  const X = as4d(src), K = as4d(tconvKernel);
  try {
    const t = performance.now();
    let out;
    if (source === "d2l" && stride === 1 && padding === 0) {
      const Y = d2l.transConv(tensor(src), tensor(tconvKernel));
      out = Y.toArray();
      Y.dispose();
      $("tconv-code").textContent = `Y = d2l.transConv(X, K)   // X = [[0, 1], [2, 3]], K = ${kernelText(tconvKernel)}  ·  ${ms(t)}`;
    } else {
      out = plane(F.convTranspose2d(X, K, undefined, { stride, padding }));
      $("tconv-code").textContent = `Y = F.convTranspose2d(X, K, undefined, { stride: ${stride}, padding: ${padding} })  ·  ${ms(t)}`;
    }
    drawHeatmap($("tconv-canvas"), out, { maxPx: 300 });
    document.querySelector('[data-testid="tconv-shape"]').textContent = shapeText(out);
    $("tconv-range").textContent = rangeText(out);
    showError("tconv-error", null);
  } catch (err) {
    showError("tconv-error", err);
  } finally {
    X.dispose();
    K.dispose();
  }
}

function update() {
  renderInput();
  renderCorr();
  renderPool();
  renderTconv();
}

// ---------- 5. learn the kernel ----------

const LEARN = {
  diff: { k: [[1, -1]], lr: 0.03, epochs: 10, logEvery: 2 },
  sobelX: { k: KERNELS.sobelX.k, lr: 0.002, epochs: 150, logEvery: 25 },
  laplacian: { k: KERNELS.laplacian.k, lr: 0.002, epochs: 150, logEvery: 25 },
  blur: { k: KERNELS.blur.k, lr: 0.002, epochs: 150, logEvery: 25 },
};

const learn = { conv: null, opt: null, X: null, Y: null, losses: [], epoch: 0, running: false, log: [] };

function learnSetup() {
  learn.running = false;
  const key = $("learn-target").value;
  const spec = LEARN[key];
  const seed = Number($("learn-seed").value) || 0;
  manualSeed(seed);
  const kh = spec.k.length, kw = spec.k[0].length;
  if (key === "diff") {
    // The chapter's cell: X = ones(6, 8) with X[:, 2:6] = 0, Y = corr2d(X, K), Conv2d(1, 1, (1, 2), bias=False)
    learn.X = as4d(PRESETS.edges.make());
    learn.Y = d2l.corr2d(tensor(PRESETS.edges.make()), tensor(spec.k)).reshape(1, 1, 6, 7);
  } else {
    learn.X = rand([1, 1, 16, 16]);
    learn.Y = F.conv2d(learn.X, as4d(spec.k));
  }
  learn.conv = new nn.Conv2d(1, 1, [kh, kw], { bias: false });
  learn.lr = Number($("learn-lr").value);
  learn.opt = new optim.SGD(learn.conv.parameters(), { lr: learn.lr });
  learn.total = Math.max(1, Math.min(2000, Math.floor(Number($("learn-epochs").value) || spec.epochs)));
  learn.logEvery = spec.logEvery;
  learn.losses = [];
  learn.epoch = 0;
  learn.log = [
    `conv2d = nn.Conv2d(1, 1, [${kh}, ${kw}], { bias: false });  // seed ${seed}`,
    `opt = new optim.SGD(conv2d.parameters(), { lr: ${learn.lr} });`,
  ];
  drawHeatmap($("learn-target-k"), spec.k, { maxPx: 150, labels: true, format: (v) => fmt(Math.round(v * 100) / 100) });
  drawHeatmap($("learn-y"), plane4(learn.Y), { maxPx: 130 });
  $("learn-wshape").textContent = `[1, 1, ${kh}, ${kw}]`;
  setLearnState("idle", "ready");
  renderLearn();
}

/** The (h, w) plane of a 4-D tensor without disposing it. */
const plane4 = (t) => t.reshape(t.shape[2], t.shape[3]).toArray();

function learnStep() {
  const { conv, opt, X, Y } = learn;
  const yHat = conv.forward(X);
  const l = yHat.sub(Y).pow(2).sum();
  opt.zeroGrad();
  l.backward();
  opt.step();
  const loss = l.item();
  learn.epoch += 1;
  learn.losses.push(loss);
  if (learn.epoch % learn.logEvery === 0 || learn.epoch === learn.total) learn.log.push(`epoch ${learn.epoch}, loss ${fmtLoss(loss)}`);
  return loss;
}

function renderLearn() {
  const w = learn.conv.weight;
  const kh = w.shape[2], kw = w.shape[3];
  const weights = w.reshape(kh, kw).toArray();
  drawHeatmap($("learn-weights"), weights, { maxPx: 150, labels: true, format: (v) => v.toFixed(2) });
  const pred = noGrad(() => learn.conv.forward(learn.X));
  drawHeatmap($("learn-pred"), plane(pred), { maxPx: 130 });
  $("learn-epoch").textContent = `${learn.epoch} / ${learn.total}`;
  const last = learn.losses[learn.losses.length - 1];
  $("learn-loss").textContent = last === undefined ? "–" : fmtLoss(last);
  $("learn-log").textContent = learn.log.join("\n");
  $("learn-log").scrollTop = $("learn-log").scrollHeight;
  drawCurve($("learn-curve"), learn.losses, { total: learn.total });
}
const fmtLoss = (v) => (Number.isFinite(v) ? (v >= 1e-3 ? v.toFixed(4) : v.toExponential(2)) : String(v));

function setLearnState(s, text) {
  $("panel-learn").dataset.state = s;
  $("learn-status").textContent = text;
  $("learn-train").textContent = s === "running" ? "Pause" : learn.epoch >= learn.total ? "Train again" : learn.epoch ? "Resume" : "Train";
}

function trainLoop() {
  if (!learn.running) return;
  // Small problems are animated one epoch per frame; larger ones take a few epochs per frame.
  const perFrame = learn.total <= 30 ? 1 : Math.ceil(learn.total / 90);
  for (let i = 0; i < perFrame && learn.epoch < learn.total; i++) learnStep();
  const last = learn.losses[learn.losses.length - 1];
  if (!Number.isFinite(last)) {
    learn.running = false;
    learn.log.push("the loss diverged: lower the learning rate and press Reset");
    renderLearn();
    setLearnState("diverged", "diverged");
    return;
  }
  renderLearn();
  if (learn.epoch >= learn.total) {
    learn.running = false;
    learn.log.push(`conv2d.weight = ${kernelText(learn.conv.weight.reshape(learn.conv.weight.shape[2], learn.conv.weight.shape[3]).toArray())}`);
    renderLearn();
    setLearnState("done", "done");
    return;
  }
  setTimeout(() => requestAnimationFrame(trainLoop), learn.total <= 30 ? 90 : 0);
}

$("learn-train").addEventListener("click", () => {
  if (learn.running) { learn.running = false; setLearnState("paused", "paused"); return; }
  if (learn.epoch >= learn.total) learnSetup();
  learn.running = true;
  setLearnState("running", "training…");
  requestAnimationFrame(trainLoop);
});
$("learn-step").addEventListener("click", () => {
  if (learn.running) return;
  if (learn.epoch >= learn.total) learnSetup();
  learnStep();
  renderLearn();
  setLearnState(learn.epoch >= learn.total ? "done" : "paused", learn.epoch >= learn.total ? "done" : "stepped");
});
$("learn-reset").addEventListener("click", learnSetup);
$("learn-target").addEventListener("change", () => {
  const spec = LEARN[$("learn-target").value];
  $("learn-lr").value = String(spec.lr);
  $("learn-epochs").value = String(spec.epochs);
  learnSetup();
});
for (const id of ["learn-lr", "learn-epochs", "learn-seed"]) $(id).addEventListener("change", learnSetup);

// ---------- start ----------

buildKernelEditor();
update();
learnSetup();
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { update(); renderLearn(); }, 100);
});
document.body.dataset.ready = "true";
