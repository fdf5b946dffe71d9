// The packed package in headless Chromium: a plain module script page, a module Web Worker, the scalar
// fallback, Vite (dev server and production build), webpack 5, esbuild (platform browser) and rollup.
// Every page is served as static files with no special headers; all checks share one Chromium.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build as esbuild } from "esbuild";
import type { Browser } from "playwright-core";
import { rollup } from "rollup"; // rollup 4 as @rollup/wasm-node (see README.md here)
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { build as viteBuild, createServer } from "vite";
import webpack from "webpack";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EXPECTED, runPage, serveStatic, sharedChromium, type Served } from "./support.js";

const dir = inject("consumersDir");
let browser: Browser;
let site: Served;

beforeAll(async () => {
  browser = await sharedChromium();
  site = await serveStatic(dir);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

const SIMD = { ...EXPECTED, variant: "f32x4", errors: [] };

describe("browser consumers of the packed tarball (Chromium)", () => {
  it("script-module: a plain <script type=module> page with an import map", async () => {
    expect(await runPage(browser, `${site.url}/script-module/`)).toMatchObject(SIMD);
  });

  it("worker: a module Web Worker imports the package", async () => {
    expect(await runPage(browser, `${site.url}/worker/`)).toMatchObject({ ...SIMD, inWorker: true });
  });

  it("scalar-fallback: an engine that validates no SIMD module gets the scalar build", async () => {
    expect(await runPage(browser, `${site.url}/scalar-fallback/`)).toMatchObject({ ...SIMD, variant: "scalar" });
  });

  it("vite: the dev server (dependency pre-bundling included)", async () => {
    const root = join(dir, "vite");
    const server = await createServer({
      root, configFile: false, logLevel: "silent", cacheDir: join(root, ".vite"),
      server: { host: "127.0.0.1", port: 0, strictPort: false, hmr: false, watch: null },
    });
    await server.listen();
    try {
      const address = server.httpServer!.address() as { port: number };
      expect(await runPage(browser, `http://127.0.0.1:${address.port}/`)).toMatchObject(SIMD);
    } finally {
      await server.close();
    }
  });

  it("vite: the production build, served statically", async () => {
    const root = join(dir, "vite");
    await viteBuild({ root, configFile: false, logLevel: "silent", build: { outDir: join(root, "dist"), emptyOutDir: true } });
    const dist = await serveStatic(join(root, "dist"));
    try {
      expect(await runPage(browser, `${dist.url}/`)).toMatchObject(SIMD);
    } finally {
      await dist.close();
    }
  });

  it("webpack 5: production build with entry and output only", async () => {
    const root = join(dir, "webpack");
    const compiler = webpack({ mode: "production", context: root, entry: "./main.js", output: { path: join(root, "dist"), filename: "main.js" } });
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      compiler.run((err, s) => (err ? reject(err) : compiler.close(() => resolve(s!)))));
    expect(stats.hasErrors(), stats.toString("errors-only")).toBe(false);
    expect(await runPage(browser, `${site.url}/webpack/`)).toMatchObject(SIMD);
  });

  it("esbuild, platform browser: an IIFE bundle in a classic <script>", async () => {
    const root = join(dir, "esbuild-browser");
    const res = await esbuild({
      entryPoints: [join(root, "main.js")], bundle: true, platform: "browser", minify: true,
      outfile: join(root, "dist/bundle.js"), logLevel: "silent",
    });
    expect(res.errors).toEqual([]);
    expect(await runPage(browser, `${site.url}/esbuild-browser/`)).toMatchObject(SIMD);
    // With no server at all: the same page opened from disk (file://). A classic script needs no CORS, and
    // the inlined wasm bytes need no fetch.
    expect(await runPage(browser, pathToFileURL(join(root, "index.html")).href)).toMatchObject(SIMD);
  });

  it("rollup 4 with @rollup/plugin-node-resolve", async () => {
    const root = join(dir, "rollup");
    const bundle = await rollup({ input: join(root, "main.js"), plugins: [nodeResolve({ browser: true })], logLevel: "silent" });
    await bundle.write({ file: join(root, "dist/bundle.js"), format: "es" });
    await bundle.close();
    expect(await runPage(browser, `${site.url}/rollup/`)).toMatchObject(SIMD);
  });
});
