// wasmconv benchmark (issue 4): verify, then time, the same workloads on wasmconv (SIMD and scalar twin, public
// API and raw kernels), plain JavaScript loops and TensorFlow.js (wasm/XNNPACK and cpu backends), in one
// process and interleaved round-robin. Prints a markdown table and writes JSON. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--only a,b] [--json] [--out file] [--rounds n] [--list]
import os from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WORKLOADS, makeData } from "./workloads.mjs";
import { compare, stats } from "./util.mjs";
import { purejs } from "./contenders/purejs.mjs";
import { probeFor } from "./contenders/probe.mjs";
import { evaluateTargets } from "./targets.mjs";
import { renderTable, renderTargets, fmtMs } from "./report.mjs";

const HELP = `usage: node bench/run.mjs [options]     (npm run bench -- [options])
  --quick        smoke test: 2 rounds, short samples; tfjs-cpu and pure JS skipped where one call would
                 take over ~1 s (those workloads are then checked against wasmconv's scalar twin)
  --only a,b     only workloads whose id contains one of the substrings (e.g. --only resnet,edge)
  --json         print the JSON to stdout instead of the table (progress stays on stderr)
  --out FILE     where to write the JSON (default bench/results.json; bench/results-quick.json with --quick)
  --rounds N     interleaved rounds (default 5, quick 2)
  --max-call S   skip a contender whose projected time per call (from its speed on an earlier workload of
                 the same kind) exceeds S seconds (default 20, quick 2)
  --no-probe     leave out the host-phase probe (the GEMM / memory ceiling timed alongside each workload)
  --list         list the workloads and exit`;

function parseArgs(argv) {
  const a = { quick: false, json: false, only: null, out: null, rounds: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === "--quick") a.quick = true;
    else if (k === "--json") a.json = true;
    else if (k === "--only") a.only = val().split(",").map((s) => s.trim()).filter(Boolean);
    else if (k.startsWith("--only=")) a.only = k.slice(7).split(",").filter(Boolean);
    else if (k === "--out") a.out = val();
    else if (k === "--rounds") a.rounds = Number(val());
    else if (k === "--max-call") a.maxCall = Number(val());
    else if (k === "--list") a.list = true;
    else if (k === "--no-probe") a.noProbe = true;
    else if (k === "--help" || k === "-h") { console.log(HELP); process.exit(0); }
    else throw new Error(`unknown option ${k}\n${HELP}`);
  }
  return a;
}

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

let args;
try { args = parseArgs(process.argv.slice(2)); } catch (e) { fail(e.message); }
const here = fileURLToPath(new URL(".", import.meta.url));
const CFG = args.quick
  ? { rounds: 2, sampleMs: 5, roundBudgetMs: 30, maxPerRound: 4, warmupMs: 100, slowMs: 300, slowBudgetMs: 0, maxCallS: 2 }
  : { rounds: 5, sampleMs: 10, roundBudgetMs: 120, maxPerRound: 8, warmupMs: 300, slowMs: 1000, slowBudgetMs: 6000, maxCallS: 20 };
if (args.rounds) CFG.rounds = args.rounds;
if (args.maxCall) CFG.maxCallS = args.maxCall;
// Naive JS runs at ~0.1 GFLOP/s here; above this estimated time per call the reference is the scalar twin.
const PUREJS_GFLOPS = 0.1;
const REF_LIMIT_S = args.quick ? 3 : 20;
const QUICK_SKIP_FLOPS = 1.5e8; // --quick: no tfjs-cpu and no pure JS timing above this

const log = (...m) => console.error(...m);
const now = () => performance.now();

if (args.list) {
  for (const w of WORKLOADS) console.log(`${w.id.padEnd(28)} ${w.title}`);
  process.exit(0);
}
const selected = WORKLOADS.filter((w) => !args.only || args.only.some((s) => w.id.includes(s)));
if (selected.length === 0) fail(`--only ${args.only} matches no workload (see --list)`);

// ---- contenders (each loaded on its own, so one that cannot load does not stop the others) ----
const contenders = [purejs];
const unavailable = [];
const info = { wasmconv: null, tfjs: null };
try {
  const m = await import("./contenders/wasmconv.mjs");
  info.wasmconv = m.wasmconvInfo();
  contenders.push(...m.wasmconvContenders);
} catch (e) {
  const reason = `the package is not built or does not load (npm run build): ${e.message.split("\n")[0]}`;
  for (const [id, label] of [["wasmconv-op", "wasmconv f32x4 (op)"], ["wasmconv-kernel", "wasmconv f32x4 (kernel)"], ["wasmconv-scalar", "wasmconv scalar (kernel)"]]) {
    unavailable.push({ id, label, reason });
  }
  log(`! wasmconv unavailable: ${reason}`);
}
try {
  const m = await import("./contenders/tfjs.mjs");
  for (const c of m.tfjsContenders) { await c.enter(); contenders.push(c); }
  info.tfjs = m.tfjsInfo();
} catch (e) {
  const reason = `TensorFlow.js is not installed or does not load (npm --prefix bench install): ${e.message.split("\n")[0]}`;
  unavailable.push({ id: "tfjs-wasm", label: "tfjs-wasm (XNNPACK, 1 thread)", reason }, { id: "tfjs-cpu", label: "tfjs-cpu", reason });
  log(`! tfjs unavailable: ${reason}`);
}
const ORDER = ["wasmconv-op", "wasmconv-kernel", "wasmconv-export", "wasmconv-scalar", "tfjs-wasm", "tfjs-cpu", "purejs"];
contenders.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
const byId = Object.fromEntries(contenders.map((c) => [c.id, c]));

const notes = [];
const estPureJsS = (w) => (w.kind === "lenet_step" ? 6 : (w.flops ?? 0) / (PUREJS_GFLOPS * 1e9));

function chooseReference(w) {
  if (estPureJsS(w) > REF_LIMIT_S && byId["wasmconv-scalar"]) {
    return { id: "wasmconv-scalar", why: `pure JS would take ~${estPureJsS(w).toFixed(0)} s per call` };
  }
  return { id: "purejs", why: "" };
}

// Work done per ms by each contender on each kind of op, from earlier workloads: projects slow calls.
const speed = new Map();
const speedKey = (c, kind) => `${c}|${kind}`;

/** A lower bound of one call's time in seconds (parts of unknown speed count as free), or null. */
function projectedS(c, w) {
  let ms = 0, known = 0;
  for (const p of w.parts) {
    const s = speed.get(speedKey(c.id, p.kind));
    if (s === undefined) continue;
    ms += p.work / s.perMs;
    known++;
  }
  return known ? ms / 1000 : null;
}

function skipReason(c, w) {
  if (args.quick) {
    if (c.id === "tfjs-cpu" && (w.kind === "lenet_step" || (w.flops ?? 0) > QUICK_SKIP_FLOPS)) return "not run in --quick (one call takes seconds)";
    if (c.id === "purejs" && chooseReference(w).id !== "purejs") return "not run in --quick (one call takes seconds)";
  }
  if (c.id === chooseReference(w).id) return null;
  const p = projectedS(c, w);
  if (p !== null && p > CFG.maxCallS) {
    const from = [...new Set(w.parts.map((x) => speed.get(speedKey(c.id, x.kind))?.from).filter(Boolean))];
    return `one call would take ~${p.toFixed(0)} s (projected from its speed on ${from.join(", ")}; --max-call ${CFG.maxCallS})`;
  }
  return null;
}

// ---- one workload: prepare, verify against the reference, calibrate, interleaved rounds ----
async function runWorkload(w, index) {
  log(`[${index + 1}/${selected.length}] ${w.id}: ${w.title}`);
  const d = makeData(w);
  const ref = chooseReference(w);
  const rows = [];
  for (const u of unavailable) rows.push({ contender: u.id, label: u.label, status: "unavailable", reason: u.reason });
  for (const c of contenders) {
    if (c.appliesTo && !c.appliesTo(w)) continue;
    const base = { contender: c.id, label: c.label, level: c.level ?? null, variant: c.variant ?? null };
    const skip = skipReason(c, w);
    if (skip) { rows.push({ ...base, status: "skipped", reason: skip }); continue; }
    try {
      await c.enter();
      const h = c.prepare(w, d);
      if (h.na) { rows.push({ ...base, status: "n/a", reason: h.na }); continue; }
      rows.push({ ...base, label: h.label ?? c.label, status: "pending", c, h });
    } catch (e) {
      rows.push({ ...base, status: "error", reason: `prepare: ${e.message.split("\n")[0]}` });
      log(`  ! ${c.id} prepare failed: ${e.stack}`);
    }
  }

  // The reference first: its first call gives the expected result.
  const live = rows.filter((r) => r.status === "pending");
  let refRow = live.find((r) => r.contender === ref.id) ?? live.find((r) => r.contender === "purejs");
  if (!refRow) {
    for (const r of live) { r.status = "error"; r.reason = "no reference result (pure JS and the scalar twin are both unavailable)"; }
  }
  let expected = null;
  const refNote = refRow && refRow.contender !== "purejs" ? `checked against ${refRow.label} (${ref.why})` : null;
  if (refNote) notes.push(`${w.id}: ${refNote}.`);
  for (const r of refRow ? [refRow, ...live.filter((x) => x !== refRow)] : []) {
    try {
      await r.c.enter();
      const t0 = now();
      r.h.run();
      r.first_ms = now() - t0;
      const out = r.h.result();
      if (r === refRow) { expected = out; r.isReference = true; }
      r.verify = compare(out, expected);
      r.status = r.verify.ok ? "ok" : "wrong";
      if (!r.verify.ok) log(`  ! ${r.label}: result differs from the reference: ${r.verify.reason}`);
    } catch (e) {
      r.status = "error";
      r.reason = `run: ${e.message.split("\n")[0]}`;
      log(`  ! ${r.label} failed: ${e.stack}`);
    }
  }

  // Calibration: warm up, then pick `inner` (calls per sample) and samples per round.
  const timed = rows.filter((r) => r.status === "ok" || r.status === "wrong");
  // The host-phase probe rides along in the same rounds (it computes nothing to check; see contenders/probe.mjs).
  let probe = null;
  if (!args.noProbe && timed.length > 0) {
    try {
      const p = probeFor(w);
      if (p) probe = { contender: "host-probe", label: p.label, work: p.work, unit: p.unit, c: { enter: async () => {} }, h: { run: p.run } };
    } catch (e) {
      log(`  ! host probe unavailable: ${e.message.split("\n")[0]}`);
    }
  }
  if (probe) timed.push(probe);
  for (const r of timed) {
    r.times = [];
    await r.c.enter();
    if (r.first_ms >= CFG.slowMs) {
      // Slow: no warm-up, one call per sample. The first call may include one-time costs (memory growth),
      // so a second call is the first sample, unless the first took so long that such costs do not matter.
      let t = r.first_ms;
      if (t < 4 * CFG.slowMs) { const t0 = now(); r.h.run(); t = now() - t0; }
      r.inner = 1; r.perRound = 1; r.times.push(t);
      r.maxSamples = Math.max(1, Math.min(CFG.rounds, Math.floor(CFG.slowBudgetMs / t)));
      if (t >= CFG.slowMs) continue;
      r.times.length = 0; // it was not slow after all: calibrate like the others
    }
    let calls = 0;
    const t0 = now();
    do { r.h.run(); calls++; } while (now() - t0 < CFG.warmupMs);
    const est = (now() - t0) / calls;
    r.inner = Math.max(1, Math.round(CFG.sampleMs / est));
    r.perRound = Math.min(CFG.maxPerRound, Math.max(1, Math.floor(CFG.roundBudgetMs / (r.inner * est))));
    r.maxSamples = Infinity;
  }
  for (let round = 0; round < CFG.rounds; round++) {
    const order = timed.map((_, i) => timed[(i + round) % timed.length]);
    for (const r of order) {
      if (r.times.length >= r.maxSamples) continue;
      await r.c.enter();
      const first = r.times.length;
      for (let s = 0; s < r.perRound && r.times.length < r.maxSamples; s++) {
        const t0 = now();
        for (let i = 0; i < r.inner; i++) r.h.run();
        r.times.push((now() - t0) / r.inner);
      }
      (r.byRound ??= [])[round] = r.times.slice(first);
    }
  }
  let probeResult = null;
  if (probe) {
    timed.pop();
    const st = stats(probe.times);
    const rate = probe.work / (st.median * 1e6);
    probeResult = { label: probe.label, unit: probe.unit, rate, median_ms: st.median, min_ms: st.min, max_ms: st.max, samples: st.n, inner: probe.inner };
    log(`  ${"host probe".padEnd(32)} ${fmtMs(st.median).padStart(9)} ms  ${rate.toFixed(1)} ${probe.unit}  (${probe.label})`);
  }
  for (const r of timed) {
    const st = stats(r.times);
    Object.assign(r, { samples: st.n, median_ms: st.median, min_ms: st.min, max_ms: st.max, q1_ms: st.q1, q3_ms: st.q3 });
    if (w.parts.length === 1 && w.parts[0].work) speed.set(speedKey(r.contender, w.kind), { perMs: w.parts[0].work / st.median, from: w.id });
    if (w.flops) { r.rate = w.flops / (st.median * 1e6); r.rate_unit = "GFLOP/s"; }
    else if (w.bytes) { r.rate = w.bytes / (st.median * 1e6); r.rate_unit = "GB/s"; }
    if (r.h.fill) { // what the zero fill of an accumulated gradient costs on its own
      await r.c.enter();
      const ts = [];
      for (let i = 0; i < 15; i++) { const t0 = now(); r.h.fill(); ts.push(now() - t0); }
      r.zero_fill_ms = stats(ts).median;
    }
  }
  // A row's share of the ceiling, round by round (the probe's samples of the same round saw the same host
  // phase): (work / row time) / (probe work / probe time), medians of the round; then the median over rounds.
  const work = w.flops ?? w.bytes;
  if (probeResult && work) {
    for (const r of timed) {
      if (r.rate_unit !== probeResult.unit) continue;
      const shares = [];
      probe.byRound.forEach((pt, round) => {
        const rt = r.byRound?.[round];
        if (pt?.length && rt?.length) shares.push((work / stats(rt).median) / (probe.work / stats(pt).median));
      });
      if (shares.length) r.of_ceiling = stats(shares).median;
    }
  }
  for (const r of timed) {
    r.vs = {};
    for (const p of timed) if (p !== r && p.status === "ok") r.vs[p.contender] = p.median_ms / r.median_ms;
  }
  for (const r of rows) {
    if (r.h) { try { await r.c.enter(); r.h.dispose(); } catch (e) { log(`  ! ${r.label} dispose: ${e.message}`); } }
    delete r.c; delete r.h; delete r.times; delete r.byRound; delete r.perRound; delete r.maxSamples;
    if (r.status === "ok" || r.status === "wrong") {
      const extra = r.zero_fill_ms != null ? ` (zero fill alone ${fmtMs(r.zero_fill_ms)} ms)` : "";
      log(`  ${r.label.padEnd(32)} ${fmtMs(r.median_ms).padStart(9)} ms  [${fmtMs(r.min_ms)}–${fmtMs(r.max_ms)}, n=${r.samples}×${r.inner}]${extra}${r.status === "wrong" ? "  WRONG" : ""}`);
    } else {
      log(`  ${r.label.padEnd(32)} ${r.status}: ${r.reason}`);
    }
  }
  const order = (id) => { const i = ORDER.indexOf(id); return i < 0 ? 99 : i; };
  rows.sort((a, b) => order(a.contender) - order(b.contender));
  const { id, kind, title, geom, flops, bytes, latency } = w;
  return { id, kind, title, geom, flops: flops ?? null, bytes: bytes ?? null, latency: !!latency, reference: refRow?.contender ?? null, rows, probe: probeResult };
}

// ---- main ----
const started = new Date();
const load0 = os.loadavg();
const t0 = now();
log(`wasmconv bench: ${selected.length} workloads, ${CFG.rounds} rounds${args.quick ? " (--quick)" : ""}; contenders: ${contenders.map((c) => c.id).join(", ")}`);
const results = [];
for (let i = 0; i < selected.length; i++) results.push(await runWorkload(selected[i], i));
const elapsedS = (now() - t0) / 1000;

notes.unshift(
  "Timed region: the op (or raw kernel) plus disposing the previous output, for every contender; inputs are " +
  "prepared in each library's layout and memory beforehand; no read-back except in edge-6x8-e2e " +
  "(wasmconv toFloat32Array(), tfjs dataSync()). tfjs runs in prod mode (tf.enableProdMode()).",
  "Backward rows (conv input/weight grad, pooling bwd) time the raw kernels for wasmconv, including the zero " +
  "fill of the gradient buffer (the kernels accumulate); tfjs uses engine().runKernel on its backprop kernels; " +
  "max pool bwd reuses the forward's argmax (wasmconv, pure JS) or forward input/output (tfjs).",
  `Each result is checked against the reference (max |diff| <= 1e-3 x max |reference|) before timing. ` +
  `Medians over samples; a sample averages 'inner' back-to-back calls; contenders are interleaved round-robin ` +
  `(${CFG.rounds} rounds, rotating order), after ${CFG.warmupMs} ms of warm-up calls. Contenders slower than ` +
  `${CFG.slowMs} ms per call get no warm-up and ${args.quick ? "one sample" : `at most ${CFG.slowBudgetMs / 1000} s of samples`} ` +
  `(the second call is the first sample; the checked call itself when it took over ${4 * CFG.slowMs / 1000} s).`,
  "LeNet-5 step: Conv(1,6,5,p2) Sigmoid AvgPool2 Conv(6,16,5) ReLU AvgPool2 Flatten Linear(400,120) ReLU " +
  "Linear(120,84) ReLU Linear(84,10), cross-entropy, SGD lr 0.01; GFLOP/s counts conv and linear " +
  "forward + weight grads + input grads (none for conv1). Checked on the loss and the gradients recovered from the update.",
);
const loadEnd = os.loadavg();
const busiest = Math.max(load0[0], loadEnd[0]);
if (busiest > 0.75 * os.cpus().length) {
  notes.push(`The machine was busy: 1-minute load average ${load0[0].toFixed(1)} at start and ${loadEnd[0].toFixed(1)} at the end ` +
    `on ${os.cpus().length} cores, so other processes competed for the CPU. Ratios between contenders stay comparable ` +
    `(they are interleaved), but absolute times and rates (GFLOP/s, ms and µs targets) come out pessimistic.`);
}
const targets = evaluateTargets(results);
// What the public API adds to the raw kernel, per workload (medians; noisy where the kernel takes milliseconds).
const facade = [];
for (const w of results) {
  const op = w.rows.find((r) => r.contender === "wasmconv-op" && r.status === "ok");
  const k = w.rows.find((r) => r.contender === "wasmconv-kernel" && r.status === "ok");
  const e = w.rows.find((r) => r.contender === "wasmconv-export" && r.status === "ok");
  if (op && k) {
    facade.push({ workload: w.id, op_ms: op.median_ms, kernel_ms: k.median_ms, export_ms: e?.median_ms ?? null,
      overhead_us: (op.median_ms - k.median_ms) * 1000, overhead_pct: (100 * (op.median_ms - k.median_ms)) / op.median_ms,
      overhead_min_us: (op.min_ms - k.min_ms) * 1000 });
  }
}
const machine = {
  node: process.version, v8: process.versions.v8, platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  loadavg_start: load0, loadavg_end: loadEnd, date: started.toISOString(), elapsed_s: +elapsedS.toFixed(1),
};
const report = {
  machine, config: { ...CFG, quick: args.quick, only: args.only }, wasmconv: info.wasmconv, tfjs: info.tfjs,
  notes, targets, facade_overhead: facade, workloads: results,
};
const outPath = args.out ?? `${here}results${args.quick ? "-quick" : ""}.json`;
writeFileSync(outPath, JSON.stringify(report, null, 2) + "\n");

if (args.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`## wasmconv benchmark\n`);
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}; ` +
    `${machine.date}; load average ${load0.map((x) => x.toFixed(2)).join(" ")} at start; ${elapsedS.toFixed(0)} s.` +
    (info.wasmconv ? ` wasmconv module: ${info.wasmconv.build} (relaxed = with FMA where the engine validates relaxed SIMD).\n` : "\n"));
  console.log(renderTable(results));
  console.log(`\n### Targets (issue 4)\n\n${renderTargets(targets)}`);
  if (facade.length) {
    console.log(`\n### Facade overhead (public op minus raw kernel)\n`);
    console.log("Differences of medians, and of minimums (less noisy); on millisecond ops both are within noise.\n");
    console.log("| workload | op ms | kernel ms | overhead µs (medians) | overhead µs (minimums) | share of op |\n| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const f of facade) {
      console.log(`| ${f.workload} | ${fmtMs(f.op_ms)} | ${fmtMs(f.kernel_ms)} | ${f.overhead_us.toFixed(1)} | ${f.overhead_min_us.toFixed(1)} | ${f.overhead_pct.toFixed(0)}% |`);
    }
    const e = facade.find((f) => f.export_ms != null);
    if (e) console.log(`\n${e.workload}: bare wasm export ${(e.export_ms * 1000).toFixed(2)} µs, typed wrapper ${(e.kernel_ms * 1000).toFixed(2)} µs, public op ${(e.op_ms * 1000).toFixed(2)} µs per call.`);
  }
  console.log(`\n### Notes\n\n${notes.map((n) => `- ${n}`).join("\n")}`);
  console.log(`\nJSON: ${outPath}`);
}
