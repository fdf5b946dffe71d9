// The ABI surface of wasmconv's WebAssembly module: re-exports only.
//
// Naming grammar: <op>_<pass>_<variant>, variant f32x4 (SIMD) or scalar. Both twins are exported by the SIMD
// build; the scalar build (compiled with SIMD disabled) keeps the f32x4 names but they trap, and the loader
// never calls them there. Pointers are byte offsets into linear memory; tensors are row-major f32.
// Forward kernels overwrite their outputs; backward kernels accumulate (+=) into gradient buffers (the pooling
// backward kernels also have an overwrite mode, so that a fresh gradient buffer needs no zero fill).
export * from "./memory";
export * from "./elementwise";
export * from "./unary";
export * from "./reduce";
export * from "./pool_max";
export * from "./pool_avg";
export * from "./gemm";
export * from "./conv2d";
export * from "./conv_transpose2d";
export * from "./loss";
export * from "./optim";
