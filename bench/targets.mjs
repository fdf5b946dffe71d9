// The performance targets of issue 4, checked against a run's results. A target whose row is missing, not
// verified, or whose peer is n/a is reported as unknown (met: null), never as met.

const FWD_CONVS = ["lenet-c1-fwd", "lenet-c2-fwd", "resnet-3x3-n1-fwd", "resnet-3x3-n8-fwd", "resnet-3x3s2-n1-fwd", "conv1x1-n8-fwd"];
const BIG_FWD = ["resnet-3x3-n1-fwd", "resnet-3x3-n8-fwd", "resnet-3x3s2-n1-fwd", "conv1x1-n8-fwd"];
const RESNET_BWD = ["resnet-3x3-n1-bwd-input", "resnet-3x3-n1-bwd-filter", "resnet-3x3s2-n1-bwd-input", "resnet-3x3s2-n1-bwd-filter"];
const LAYERS = [
  ...FWD_CONVS.filter((id) => !id.startsWith("conv1x1")),
  "lenet-c1-bwd-input", "lenet-c1-bwd-filter", "lenet-c2-bwd-input", "lenet-c2-bwd-filter", ...RESNET_BWD,
];

export function evaluateTargets(workloads) {
  const byId = Object.fromEntries(workloads.map((w) => [w.id, w]));
  const ok = (id, c) => byId[id]?.rows.find((r) => r.contender === c && r.status === "ok") ?? null;
  // The public API where there is one, else the raw kernel (backward rows).
  const ours = (id) => ok(id, "wasmconv-op") ?? ok(id, "wasmconv-kernel");
  const out = [];
  const add = (target, id, r, value, threshold, cmp, unit) => {
    const present = byId[id] !== undefined;
    if (!present) return; // filtered out with --only
    const met = r && value != null && Number.isFinite(value) ? (cmp === ">=" ? value >= threshold : value <= threshold) : null;
    // Context, not part of the verdict: the host-phase probe timed alongside (see contenders/probe.mjs).
    const p = byId[id].probe;
    const probe = p && r ? { rate: p.rate, unit: p.unit, of_ceiling: r.of_ceiling ?? null } : null;
    out.push({ target, workload: id, contender: r?.label ?? "wasmconv", value: value ?? null, threshold, cmp, unit, met, probe });
  };

  for (const id of FWD_CONVS) {
    const r = ours(id);
    add("forward conv >= 1.0x tfjs-wasm", id, r, r?.vs?.["tfjs-wasm"], 1.0, ">=", "x");
  }
  for (const id of BIG_FWD) {
    const r = ours(id);
    add("3x3 and 1x1 forward >= 35 GFLOP/s", id, r, r?.rate, 35, ">=", "GFLOP/s");
  }
  for (const id of [...RESNET_BWD, "tconv-k4s2-n8-fwd"]) {
    const r = ours(id);
    add("grads and transposed conv >= 25 GFLOP/s (ResNet-like)", id, r, r?.rate, 25, ">=", "GFLOP/s");
  }
  for (const id of ["maxpool-3x3s2-fwd", "avgpool-2x2s2-fwd"]) {
    const r = ours(id);
    add("pooling fwd no slower than tfjs-wasm", id, r, r?.vs?.["tfjs-wasm"], 1.0, ">=", "x");
  }
  {
    const r = ours("maxpool-3x3s2-bwd");
    add("max pool bwd <= 2.6 ms (8x64x112x112)", "maxpool-3x3s2-bwd", r, r?.median_ms, 2.6, "<=", "ms");
    const a = ours("avgpool-2x2s2-bwd");
    add("avg pool bwd <= 11 ms (8x64x112x112)", "avgpool-2x2s2-bwd", a, a?.median_ms, 11, "<=", "ms");
  }
  for (const id of LAYERS) {
    const r = ours(id);
    add(">= 50x pure JS on LeNet and ResNet layers", id, r, r?.vs?.purejs, 50, ">=", "x");
  }
  {
    const r = ok("edge-6x8", "wasmconv-op");
    add("edge detection <= 2.5 us per call", "edge-6x8", r, r ? r.median_ms * 1000 : null, 2.5, "<=", "us");
    const e = ok("edge-6x8-e2e", "wasmconv-op");
    add("edge detection incl. input and read <= 4 us", "edge-6x8-e2e", e, e ? e.median_ms * 1000 : null, 4, "<=", "us");
  }
  {
    const r = ok("lenet5-step-b256", "wasmconv-op");
    add("LeNet-5 training step, batch 256 <= 34 ms", "lenet5-step-b256", r, r?.median_ms, 34, "<=", "ms");
  }
  return out;
}
