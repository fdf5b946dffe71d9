// The host-phase probe (bench/probe/ceiling.ts): a fixed amount of host-bound work timed in the same interleaved
// rounds as a workload's contenders. Not a contender: it computes no result and is never compared with one.
//   GFLOP/s workloads: the GEMM ceiling (the 4x8 f32x4 microkernel on L1-resident panels), 2 x 2 panels, kc 256.
//   GB/s workloads (pooling): the memory ceiling for the bytes the pass must read and write.
import { readFileSync } from "node:fs";
import { buildProbe } from "../probe/build.mjs";
import { poolStreams } from "../workloads.mjs";

let ex = null;
function exports() {
  if (!ex) ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(buildProbe())), { env: { abort() {} } }).exports;
  return ex;
}

const GEMM = { mp: 2, np: 2, kc: 256, reps: 64 };
const GEMM_FLOP = 2 * (GEMM.mp * 4) * (GEMM.np * 8) * GEMM.kc * GEMM.reps;

let gemmBufs = null;
let streamBuf = { ptr: 0, floats: 0 };

/** The probe for workload w: { label, run, work, unit } (work per run, in FLOP or bytes), or null. */
export function probeFor(w) {
  const e = exports();
  if (w.latency) return null;
  if (w.bytes && w.geom) {
    const { rd, wr } = poolStreams(w.kind, w.geom);
    if (streamBuf.floats < rd + wr) streamBuf = { ptr: e.probe_alloc(4 * (rd + wr)), floats: rd + wr };
    const src = streamBuf.ptr, dst = streamBuf.ptr + 4 * rd;
    return {
      label: `memory ceiling (read ${(4 * rd / 2 ** 20).toFixed(1)} MiB, write ${(4 * wr / 2 ** 20).toFixed(1)} MiB)`,
      run: () => e.stream_probe(dst, src, rd, wr), work: 4 * (rd + wr), unit: "GB/s",
    };
  }
  if (!w.flops) return null;
  if (!gemmBufs) {
    const a = GEMM.mp * GEMM.kc * 4, b = GEMM.np * GEMM.kc * 8, c = GEMM.mp * 4 * GEMM.np * 8;
    const base = e.probe_alloc(4 * (a + b + c));
    gemmBufs = { ap: base, bp: base + 4 * a, c: base + 4 * (a + b) };
    new Float32Array(e.memory.buffer, base, a + b).fill(0.5);
  }
  const { ap, bp, c } = gemmBufs;
  return {
    label: "GEMM ceiling (4x8 f32x4 microkernel, L1-resident panels)",
    run: () => e.gemm_probe(ap, bp, c, GEMM.mp, GEMM.np, GEMM.kc, GEMM.reps), work: GEMM_FLOP, unit: "GFLOP/s",
  };
}
