// Raw memory for tensors and scratch space.
//
// Tensors are plain f32 (or i32) blocks in linear memory. The TypeScript side owns their lifetime and calls
// `alloc` / `free`; nothing here is garbage collected. AssemblyScript's TLSF allocator hands out 16-byte
// aligned blocks, which is what v128.load/store like best (unaligned loads work, aligned ones are cheaper).
//
// Kernels that need temporary space (im2col panels, packed weights) ask for a scratch slot: one grow-only
// buffer per slot, reused across calls so that a training loop does not churn the allocator.

/** Allocates `bytes` bytes (16-byte aligned, contents undefined). Returns 0 for a zero-byte request. */
export function alloc(bytes: usize): usize {
  if (bytes == 0) return 0;
  return heap.alloc(bytes);
}

/** Frees a block returned by `alloc`. Freeing 0 is a no-op. */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

const SCRATCH_SLOTS = 4;
const scratchPtr = new StaticArray<usize>(SCRATCH_SLOTS);
const scratchSize = new StaticArray<usize>(SCRATCH_SLOTS);

/**
 * Returns a buffer of at least `bytes` bytes for slot `slot` (0..3), reused across calls. Its contents are
 * undefined. Two slots are needed at once by some kernels (packed A and packed B), hence several slots.
 * Memory may grow here: callers on the JS side must re-create typed-array views after any kernel call.
 */
export function scratch(slot: i32, bytes: usize): usize {
  if (unchecked(scratchSize[slot]) >= bytes) return unchecked(scratchPtr[slot]);
  const old = unchecked(scratchPtr[slot]);
  if (old != 0) heap.free(old);
  // Grow geometrically so that slowly increasing requests do not reallocate every call.
  let size = unchecked(scratchSize[slot]) * 2;
  if (size < bytes) size = bytes;
  const ptr = heap.alloc(size);
  unchecked(scratchPtr[slot] = ptr);
  unchecked(scratchSize[slot] = size);
  return ptr;
}

/** Releases every scratch buffer (used by tests that check memory stays bounded). */
export function scratch_release(): void {
  for (let s = 0; s < SCRATCH_SLOTS; s++) {
    const p = unchecked(scratchPtr[s]);
    if (p != 0) heap.free(p);
    unchecked(scratchPtr[s] = 0);
    unchecked(scratchSize[s] = 0);
  }
}

/**
 * Fills `n` f32 values at `dst` with `value`. +0 (all bits zero, the common case: fresh gradients) is a byte
 * fill, which the engine runs as memset, several times faster than a loop of stores; other values (-0
 * included) are stored four at a time where SIMD is available.
 */
export function fill_f32(dst: usize, n: i32, value: f32): void {
  if (n <= 0) return;
  if (reinterpret<u32>(value) == 0) {
    memory.fill(dst, 0, <usize>n << 2);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}

/** Copies `bytes` bytes from `src` to `dst` (regions may overlap). */
export function copy_bytes(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}
