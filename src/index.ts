// wasmconv's public surface (../shared/API.md).
export { ready, kernelVariant, setKernelVariant, wasmBuild, type WasmBuild } from "./wasm.js";
export { Tensor } from "./tensor.js";
export { tensor, zeros, ones, full, rand, randn, arange } from "./creation.js";
export { manualSeed } from "./random.js";
export { noGrad } from "./autograd.js";
export { F } from "./functional.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { d2l } from "./d2l.js";
export { fit, type FitOptions, type StepInfo } from "./train.js";
export { memoryStats, setMemoryOptions, type MemoryStats } from "./memory.js";
export { ShapeError, AutogradError } from "./errors.js";
