// The packed package in Node: an ESM script, a CommonJS script, an esbuild bundle for platform "node", the
// forced scalar fallback, and the TypeScript declarations (tsc --noEmit on a typed consumer).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, inject, it } from "vitest";
import { EXPECTED, runNode } from "./support.js";

const dir = inject("consumersDir");
const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));

describe("Node consumers of the packed tarball", () => {
  it("node-esm: `import` from an ES module script, SIMD build", async () => {
    const out = await runNode(["main.mjs"], join(dir, "node-esm"));
    expect(out).toMatchObject({ ...EXPECTED, variant: "f32x4" });
  });

  it("node-esm with WASMCONV_SCALAR=1: the scalar build gives the same numbers", async () => {
    const out = await runNode(["main.mjs"], join(dir, "node-esm"), { WASMCONV_SCALAR: "1" });
    expect(out).toMatchObject({ ...EXPECTED, variant: "scalar" });
  });

  it("node-cjs: `require` from a CommonJS script (Node >= 20.19 loads the ES modules synchronously)", async () => {
    const out = await runNode(["main.cjs"], join(dir, "node-cjs"));
    expect(out).toMatchObject({ ...EXPECTED, variant: "f32x4" });
  });

  it("esbuild, platform node: a single-file bundle runs with node", async () => {
    const cwd = join(dir, "esbuild-node");
    const res = await build({
      entryPoints: [join(cwd, "main.js")], bundle: true, platform: "node", format: "esm",
      outfile: join(cwd, "dist/bundle.mjs"), logLevel: "silent",
    });
    expect(res.errors).toEqual([]);
    const out = await runNode(["dist/bundle.mjs"], cwd);
    expect(out).toMatchObject({ ...EXPECTED, variant: "f32x4" });
  });

  it("typescript: the declarations type the whole public API (moduleResolution nodenext and bundler)", async () => {
    for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
      const result = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, [tsc, "-p", config], { cwd: join(dir, "typescript") }, (err, stdout, stderr) =>
          resolve({ code: err ? (err.code as number) ?? 1 : 0, out: stdout + stderr }));
      });
      expect(result.out, config).toBe("");
      expect(result.code, config).toBe(0);
    }
  });
});
