// One loader for Node, browsers, web workers and bundlers.
//
// The module bytes are inlined (src/generated/wasm_bytes.ts), so there is no path to resolve and nothing to
// copy. Instantiation is synchronous on first use (the module is small, far below the size at which browsers
// refuse synchronous compilation on the main thread); `ready()` exists so that callers can await it anyway.
// The SIMD build is used where the engine validates it, the scalar build otherwise.
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "./generated/wasm_bytes.js";

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

let exportsRef: WasmExports | null = null;
let variant: Variant = "f32x4";
let simdLoaded = false;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Decodes an AssemblyScript string (UTF-16, byte length stored 4 bytes before it) for abort messages. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

function instantiate(forceScalar: boolean): WasmExports {
  const simdBytes = decodeBase64(SIMD_WASM_BASE64);
  const useSimd = !forceScalar && WebAssembly.validate(simdBytes);
  const bytes = useSimd ? simdBytes : decodeBase64(SCALAR_WASM_BASE64);
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
  variant = useSimd ? "f32x4" : "scalar";
  return ex;
}

function forcedScalar(): boolean {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  return g.process?.env?.WASMCONV_SCALAR === "1";
}

/** The instantiated module (instantiated on first use). */
export function wasm(): WasmExports {
  return exportsRef ?? (exportsRef = instantiate(forcedScalar()));
}

/** Resolves once the WebAssembly module is instantiated. Idempotent. */
export async function ready(): Promise<void> {
  wasm();
}

/** Which kernel twin is called: "f32x4" (SIMD build) or "scalar". */
export function kernelVariant(): Variant {
  wasm();
  return variant;
}

/**
 * Chooses the kernel twin for later calls. "f32x4" needs the SIMD build (the engine must validate it).
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
 */
export function heapF32(): Float32Array {
  const buf = wasm().memory.buffer;
  if (f32Cache === null || f32Cache.buffer !== buf) f32Cache = new Float32Array(buf);
  return f32Cache;
}

/** An Int32Array over the whole linear memory (same caveat as heapF32). */
export function heapI32(): Int32Array {
  const buf = wasm().memory.buffer;
  if (i32Cache === null || i32Cache.buffer !== buf) i32Cache = new Int32Array(buf);
  return i32Cache;
}
