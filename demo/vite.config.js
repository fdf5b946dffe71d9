// The demo is a plain Vite app. "wasmconv" resolves to the package's own build (npm run build), exactly the
// files a user installs: no plugin, no wasm path, no copy step.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { alias: { wasmconv: fileURLToPath(new URL("../build/index.js", import.meta.url)) } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: { host: "127.0.0.1", port: 5173, open: false },
  preview: { host: "127.0.0.1", port: 4173 },
});
