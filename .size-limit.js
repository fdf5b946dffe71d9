// Size budget (`npm run size`; also checked by test/consumers/hygiene.test.ts). Sizes are gzipped.
// The default entry carries the wasm builds inlined as base64 (simd and scalar whole, relaxed as a few-kB delta
// against simd: scripts/embed-wasm.mjs), so it is the whole download; the other lines split it into the
// JavaScript alone and the raw .wasm modules. Results are reported in README.md.

/** An esbuild plugin that replaces the inlined wasm bytes with empty strings, to weigh the JavaScript alone. */
const withoutWasmBytes = {
  name: "without-wasm-bytes",
  setup(build) {
    build.onLoad({ filter: /[\\/]generated[\\/]wasm_bytes\.js$/ }, () => ({
      contents: 'export const SIMD_WASM_BASE64 = ""; export const RELAXED_DELTA_BASE64 = ""; export const SCALAR_WASM_BASE64 = "";',
      loader: "js",
    }));
  },
};

const raw = { gzip: true, disablePlugins: ["@size-limit/esbuild"] };

export default [
  { name: "default entry: JS + the wasm builds inlined", path: "build/index.js", import: "*", gzip: true, limit: "100 kB" },
  {
    name: "JS alone (wasm bytes left out)", path: "build/index.js", import: "*", gzip: true, limit: "30 kB",
    modifyEsbuildConfig: (config) => ({ ...config, plugins: [...(config.plugins ?? []), withoutWasmBytes] }),
  },
  // The SIMD module grows with each algorithm it carries (Winograd for 3x3 s1, 3x3 s2 and 4x4 s2 transposed, the
  // batched-lane LeNet paths): 48 kB leaves room for about two more such paths before the budget is revisited.
  { name: "SIMD wasm module", path: ".wasm-out/wasmconv.simd.wasm", limit: "48 kB", ...raw },
  { name: "scalar wasm module", path: ".wasm-out/wasmconv.scalar.wasm", limit: "20 kB", ...raw },
  // Not shipped as such (the entry carries it as a delta against the SIMD module): what it would weigh alone.
  { name: "relaxed SIMD wasm module", path: ".wasm-out/wasmconv.relaxed.wasm", limit: "48 kB", ...raw },
];
