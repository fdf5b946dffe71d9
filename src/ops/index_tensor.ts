// Integer index buffers (argmax indices, gather maps, class targets) kept in a Tensor's storage as i32 bits.
import { allocStorage } from "../memory.js";
import { Tensor } from "../tensor.js";
import { heapI32 } from "../wasm.js";

/** A tensor whose storage holds the given i32 values (read it with kernels, not toArray()). */
export function indexTensor(values: Int32Array | number[]): Tensor {
  const s = allocStorage(values.length);
  heapI32().set(values, s.ptr >> 2);
  return new Tensor([values.length], s);
}
