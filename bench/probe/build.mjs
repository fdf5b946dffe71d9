// Builds bench/probe/ceiling.wasm (the host-phase probes) when it is missing or older than its sources.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const out = `${dir}ceiling.wasm`;
const sources = [`${dir}ceiling.ts`, `${dir}../../assembly/conv_gemm.ts`];

export function buildProbe() {
  const stale = !existsSync(out) || sources.some((s) => statSync(s).mtimeMs > statSync(out).mtimeMs);
  if (!stale) return out;
  const asc = `${dir}../../node_modules/.bin/asc`;
  const r = spawnSync(asc, [`${dir}ceiling.ts`, "--enable", "simd", "-O3", "--runtime", "stub", "--noAssert", "-o", out],
    { stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) throw new Error(`asc failed building ${out}`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(buildProbe());
