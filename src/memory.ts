// Tensor storage in WebAssembly linear memory, and the policy that keeps it bounded.
//
// Every tensor's data is a block of f32 in linear memory (allocated by assembly/memory.ts). A user who
// forgets to dispose() tensors must not make a training loop grow memory without bound, yet JavaScript
// gives no hook that runs in a synchronous loop when an object dies (FinalizationRegistry callbacks and
// WeakRef clearing wait for the event loop). So linear memory is treated as a cache of recently used
// storages: when the resident total passes a threshold, storages untouched for a while are *spilled*, i.e.
// copied into a JS Float32Array and their block freed. A spilled storage that is used again is reloaded.
// Garbage storages are therefore spilled once and then collected by the JS garbage collector with their
// tensor, and linear memory stays near the working set. dispose() frees a block at once.
import { heapF32, wasm } from "./wasm.js";

export class Storage {
  /** Byte offset of the data in linear memory while resident, else 0. */
  ptr = 0;
  /** The data while spilled out of linear memory. */
  host: Float32Array | null = null;
  /** Value of the allocation clock when last used by a kernel. */
  lastUse = 0;
  /** Tensors sharing this storage (reshape views); freed when the last is disposed. */
  refs = 1;
  disposed = false;
  /** Index in `resident` while resident, else -1. */
  slot = -1;
  constructor(readonly length: number) {}
}

/**
 * The resident storages. Each knows its slot, so adding and removing are O(1) without a Set's hashing
 * (removal moves the last entry into the hole); tiny ops allocate and free on every call.
 */
const resident: Storage[] = [];
let residentBytes = 0;
let clock = 0;
const options = { floorBytes: 16 << 20, window: 256 };
let sweepAt = options.floorBytes;
let spills = 0;

/** Bytes a storage occupies in linear memory: its data rounded to 16, plus the allocator's block header. */
function bytesOf(s: Storage): number {
  return ((s.length * 4 + 15) & ~15) + 16;
}

function rawAlloc(bytes: number): number {
  try {
    return wasm().alloc(bytes);
  } catch (e) {
    throw new Error(`wasmconv: out of WebAssembly memory while allocating ${bytes} bytes ` +
      `(${residentBytes} bytes in use by tensors): ${(e as Error).message}`);
  }
}

function addResident(s: Storage): void {
  s.slot = resident.length;
  resident.push(s);
}

function removeResident(s: Storage): void {
  const last = resident.pop()!;
  if (last !== s) {
    resident[s.slot] = last;
    last.slot = s.slot;
  }
  s.slot = -1;
}

function spill(s: Storage): void {
  s.host = heapF32().slice(s.ptr >> 2, (s.ptr >> 2) + s.length);
  wasm().free(s.ptr);
  s.ptr = 0;
  removeResident(s);
  residentBytes -= bytesOf(s);
  spills++;
}

/** Spills every storage not used in the last `window` allocations once the threshold is passed. */
function maybeSweep(incoming: number): void {
  if (residentBytes + incoming <= sweepAt) return;
  const oldest = clock - options.window;
  // Backwards: spilling moves the last entry (already visited) into the hole.
  for (let i = resident.length - 1; i >= 0; i--) if (resident[i].lastUse < oldest) spill(resident[i]);
  sweepAt = Math.max(options.floorBytes, 2 * (residentBytes + incoming));
}

function makeResident(s: Storage): void {
  const bytes = bytesOf(s);
  maybeSweep(bytes);
  s.ptr = rawAlloc(Math.max(4, s.length * 4));
  addResident(s);
  residentBytes += bytes;
}

/** A new storage of `length` floats, resident, zero-filled when `zero` is set (else undefined contents). */
export function allocStorage(length: number, zero = false): Storage {
  const s = new Storage(length);
  clock++;
  s.lastUse = clock;
  makeResident(s);
  if (zero) heapF32().fill(0, s.ptr >> 2, (s.ptr >> 2) + length);
  return s;
}

/** The byte offset of a storage's data, reloading it if it was spilled. Marks it as recently used. */
export function ptrOf(s: Storage): number {
  if (s.disposed) throw new Error("wasmconv: this tensor was disposed; its data is gone (dispose() was called on it or on a view sharing its storage)");
  s.lastUse = clock;
  if (s.ptr === 0) {
    const host = s.host!;
    makeResident(s);
    heapF32().set(host, s.ptr >> 2);
    s.host = null;
  }
  return s.ptr;
}

/** Marks storages as used now, so that allocating the outputs of the current op cannot spill them. */
export function touch(...storages: Storage[]): void {
  for (const s of storages) s.lastUse = clock;
}

/** A copy of the data, wherever it currently lives. */
export function readStorage(s: Storage): Float32Array {
  if (s.disposed) throw new Error("wasmconv: this tensor was disposed; its data is gone");
  if (s.ptr === 0) return s.host!.slice();
  return heapF32().slice(s.ptr >> 2, (s.ptr >> 2) + s.length);
}

/** Drops one reference; frees the block when no tensor uses the storage any more. */
export function releaseStorage(s: Storage): void {
  if (s.disposed) return;
  if (--s.refs > 0) return;
  s.disposed = true;
  if (s.ptr !== 0) {
    wasm().free(s.ptr);
    removeResident(s);
    residentBytes -= bytesOf(s);
    s.ptr = 0;
  }
  s.host = null;
}

export interface MemoryStats {
  /** Bytes of linear memory (it never shrinks; this is the high-water mark). */
  wasmBytes: number;
  /** Bytes held by resident tensor storages. */
  residentBytes: number;
  residentTensors: number;
  /** How many storages have been spilled to JS memory so far. */
  spills: number;
}

export function memoryStats(): MemoryStats {
  return {
    wasmBytes: wasm().memory.buffer.byteLength,
    residentBytes,
    residentTensors: resident.length,
    spills,
  };
}

/**
 * Tunes the bounded-memory policy: `floorBytes` is how much tensor data may stay resident before any sweep
 * (default 16 MiB); `window` is how many allocations a storage stays protected after its last use (256).
 */
export function setMemoryOptions(opts: Partial<typeof options>): void {
  Object.assign(options, opts);
  sweepAt = options.floorBytes;
}
