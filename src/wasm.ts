// One loader for Node, browsers, web workers and bundlers.
//
// The module bytes are inlined (src/generated/wasm_bytes.ts), so there is no path to resolve and nothing to
// copy. Instantiation is synchronous on first use (the module is small, far below the size at which browsers
// refuse synchronous compilation on the main thread); `ready()` exists so that callers can await it anyway.
//
// Three builds of the same kernels, with the same exports: "relaxed" (SIMD + relaxed SIMD: the GEMM
// microkernels use f32x4.relaxed_madd, which the engine may fuse into an FMA), "simd" and "scalar". The first
// one the engine validates is used, in that order: relaxed SIMD measured faster than plain SIMD in Chromium
// (README, "Runs everywhere"), and engines without it (Node 20 by default, Safari) take the simd build.
// `wasmBuild()` tells which. In Node, WASMCONV_BUILD=relaxed|simd|scalar forces one (WASMCONV_SCALAR=1 is
// the same as WASMCONV_BUILD=scalar); a forced build the engine rejects is an error, not a silent fallback.
// The relaxed build is inlined as a small delta against the simd bytes (scripts/embed-wasm.mjs), not whole.
import { RELAXED_DELTA_BASE64, SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "./generated/wasm_bytes.js";

/** The raw exports: `memory`, `alloc`, `free`, `scratch` and one function per kernel. */
export type WasmExports = {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  scratch_release(): void;
  fill_f32(dst: number, n: number, value: number): void;
  copy_bytes(dst: number, src: number, bytes: number): void;
} & Record<string, (...args: number[]) => number | void>;

export type Variant = "f32x4" | "scalar";

/** Which compiled module is loaded: see the comment at the top of this file. */
export type WasmBuild = "relaxed" | "simd" | "scalar";

const BUILDS: readonly WasmBuild[] = ["relaxed", "simd", "scalar"];

let exportsRef: WasmExports | null = null;
let variant: Variant = "f32x4";
let simdLoaded = false;
let build: WasmBuild = "simd";

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Rebuilds a module from `base` and a delta (format in scripts/embed-wasm.mjs: repeated
 * insertLen, literal bytes, zigzag(copyFrom - cursor), copyLen, as unsigned LEB128).
 */
function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let total = 0, p = 0, cursor = 0;
  const uleb = (): number => {
    let n = 0, scale = 1, b: number;
    do { b = delta[p++]; n += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80);
    return n;
  };
  while (p < delta.length) {
    const ins = uleb();
    parts.push(delta.subarray(p, p + ins));
    p += ins;
    const z = uleb();
    const from = cursor + (z % 2 ? -(z + 1) / 2 : z / 2);
    const len = uleb();
    parts.push(base.subarray(from, from + len));
    cursor = from + len;
    total += ins + len;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) { out.set(part, o); o += part.length; }
  return out;
}

/** The bytes of one build (the relaxed one is rebuilt from the simd bytes and its delta). */
export function buildBytes(b: WasmBuild): Uint8Array<ArrayBuffer> {
  if (b === "scalar") return decodeBase64(SCALAR_WASM_BASE64);
  const simd = decodeBase64(SIMD_WASM_BASE64);
  return b === "simd" ? simd : applyDelta(simd, decodeBase64(RELAXED_DELTA_BASE64));
}

/** Decodes an AssemblyScript string (UTF-16, byte length stored 4 bytes before it) for abort messages. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

/** The bytes of the build to load: the forced one, else the first of relaxed, simd, scalar that validates. */
function choose(forced: WasmBuild | null): { build: WasmBuild; bytes: Uint8Array<ArrayBuffer> } {
  if (forced !== null) {
    const bytes = buildBytes(forced);
    if (forced !== "scalar" && !WebAssembly.validate(bytes)) {
      throw new Error(`wasmconv: WASMCONV_BUILD=${forced} was asked for, but this engine does not validate that build`);
    }
    return { build: forced, bytes };
  }
  const simd = decodeBase64(SIMD_WASM_BASE64);
  const relaxed = applyDelta(simd, decodeBase64(RELAXED_DELTA_BASE64));
  if (WebAssembly.validate(relaxed)) return { build: "relaxed", bytes: relaxed };
  if (WebAssembly.validate(simd)) return { build: "simd", bytes: simd };
  return { build: "scalar", bytes: decodeBase64(SCALAR_WASM_BASE64) };
}

function instantiate(forced: WasmBuild | null): WasmExports {
  const chosen = choose(forced);
  const bytes = chosen.bytes;
  const useSimd = chosen.build !== "scalar";
  let memory: WebAssembly.Memory | null = null;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        const where = memory ? `${readAsString(memory, file)}:${line}:${col}` : `${line}:${col}`;
        const text = memory ? readAsString(memory, msg) : "";
        throw new Error(`wasmconv internal error: ${text || "abort"} at ${where}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  const ex = instance.exports as unknown as WasmExports;
  memory = ex.memory;
  simdLoaded = useSimd;
  build = chosen.build;
  variant = useSimd ? "f32x4" : "scalar";
  return ex;
}

/** WASMCONV_BUILD (or WASMCONV_SCALAR=1) from process.env where there is one (Node), else null. */
function forcedBuild(): WasmBuild | null {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const env = g.process?.env;
  const b = env?.WASMCONV_BUILD;
  if (b) {
    if (!(BUILDS as readonly string[]).includes(b)) {
      throw new Error(`wasmconv: WASMCONV_BUILD must be one of ${BUILDS.join(", ")} (got ${JSON.stringify(b)})`);
    }
    return b as WasmBuild;
  }
  return env?.WASMCONV_SCALAR === "1" ? "scalar" : null;
}

/** The instantiated module (instantiated on first use). */
export function wasm(): WasmExports {
  return exportsRef ?? (exportsRef = instantiate(forcedBuild()));
}

/** Resolves once the WebAssembly module is instantiated. Idempotent. */
export async function ready(): Promise<void> {
  wasm();
}

/**
 * Which module is loaded: "relaxed" (SIMD + relaxed SIMD, where the engine validates it), "simd" or "scalar".
 * Both SIMD builds run the "f32x4" kernel twins (see kernelVariant).
 */
export function wasmBuild(): WasmBuild {
  wasm();
  return build;
}

/** Which kernel twin is called: "f32x4" (SIMD build) or "scalar". */
export function kernelVariant(): Variant {
  wasm();
  return variant;
}

/**
 * Chooses the kernel twin for later calls. "f32x4" needs a SIMD build (relaxed or simd).
 * Tests and the benchmark use this to compare the twins in one process.
 */
export function setKernelVariant(v: Variant): void {
  wasm();
  if (v === "f32x4" && !simdLoaded) {
    throw new Error(`setKernelVariant: the SIMD build is not loaded in this engine, so "f32x4" is unavailable`);
  }
  variant = v;
}

/** Looks up a kernel by base name, e.g. kernel("conv2d_fwd") -> conv2d_fwd_f32x4 or conv2d_fwd_scalar. */
export function kernel(base: string): (...args: number[]) => number | void {
  // Resolved once per (variant, base): this runs on every op call, and tiny ops are latency-bound.
  const cache = variant === "f32x4" ? simdCache : scalarCache;
  const hit = cache.get(base);
  if (hit !== undefined) return hit;
  const ex = wasm();
  const fn = ex[`${base}_${variant}`] ?? ex[`${base}_scalar`] ?? ex[base];
  if (typeof fn !== "function") throw new Error(`wasmconv internal error: no kernel export named ${base}`);
  cache.set(base, fn);
  return fn;
}

const simdCache = new Map<string, (...args: number[]) => number | void>();
const scalarCache = new Map<string, (...args: number[]) => number | void>();

let f32Cache: Float32Array | null = null;
let i32Cache: Int32Array | null = null;

/**
 * A Float32Array over the whole linear memory. Growing memory detaches the old buffer, so the view is
 * re-made whenever the buffer changed: never keep the result across a call that may allocate.
 * A detached view has length 0, which is how a change is seen without calling the memory.buffer getter
 * (an engine API call, measurable on latency-bound tiny ops); the module is instantiated only once.
 */
export function heapF32(): Float32Array {
  if (f32Cache === null || f32Cache.length === 0) f32Cache = new Float32Array(wasm().memory.buffer);
  return f32Cache;
}

/** An Int32Array over the whole linear memory (same caveat as heapF32). */
export function heapI32(): Int32Array {
  if (i32Cache === null || i32Cache.length === 0) i32Cache = new Int32Array(wasm().memory.buffer);
  return i32Cache;
}
