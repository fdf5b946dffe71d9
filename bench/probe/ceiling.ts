// Host-phase probes for the bench (AssemblyScript, built by bench/probe/build.mjs; not part of the package).
//
// This machine's speed swings ~1.6x from minute to minute (a shared host), so an absolute GFLOP/s or ms figure
// says as much about the host's phase as about the kernel. Each probe is a fixed amount of work whose speed
// depends only on the host: it is timed in the same interleaved rounds as a workload's contenders, so it sees
// the same phases, and a kernel's rate divided by the probe's is a figure that the phase cancels out of.
//   gemm_probe:   the GEMM ceiling, i.e. the package's own 4x8 f32x4 microkernel on L1-resident panels (no
//                 packing, no cache misses, no edge tiles): the most any GEMM-bound convolution can reach here.
//   stream_probe: the memory ceiling for a pooling pass: read `rd` floats, then write `wr` floats, each as one
//                 sequential f32x4 stream (what a kernel that reads and writes those bytes once cannot beat).
import { gemm_packed, MR, NR } from "../../assembly/conv_gemm";

/** A block of linear memory (bytes), 64-byte aligned; the probes' data live there. */
export function probe_alloc(bytes: i32): usize {
  const base = (<usize>memory.size() << 16);
  const pages = ((bytes + 64 + 0xffff) >>> 16);
  if (memory.grow(pages) < 0) unreachable();
  return (base + 63) & ~(<usize>63);
}

/**
 * `reps` GEMMs C (MP*4 x NP*8) = A @ B of depth kc on packed panels (A: MP panels of kc x 4, B: NP panels of
 * kc x 8; 2*4*8*kc*MP*NP FLOP each). With MP = NP = 2, kc = 256: 24 KiB of panels, resident in L1.
 */
export function gemm_probe(ap: usize, bp: usize, c: usize, mp: i32, np: i32, kc: i32, reps: i32): void {
  const m = mp * MR, n = np * NR;
  for (let r = 0; r < reps; r++) gemm_packed(ap, <usize>kc * (MR * 4), bp, m, n, kc, c, <usize>n << 2, false, 0);
}

/** Reads rd floats at src (summed, so the loads are not dead), then writes wr floats at dst. Returns the sum. */
export function stream_probe(dst: usize, src: usize, rd: i32, wr: i32): f32 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  const rend = src + (<usize>(rd & ~15) << 2);
  for (let p = src; p < rend; p += 64) {
    s0 = f32x4.add(s0, v128.load(p));
    s1 = f32x4.add(s1, v128.load(p, 16));
    s2 = f32x4.add(s2, v128.load(p, 32));
    s3 = f32x4.add(s3, v128.load(p, 48));
  }
  const v = f32x4.splat(1);
  const wend = dst + (<usize>(wr & ~15) << 2);
  for (let p = dst; p < wend; p += 64) {
    v128.store(p, v);
    v128.store(p, v, 16);
    v128.store(p, v, 32);
    v128.store(p, v, 48);
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), 0);
}
