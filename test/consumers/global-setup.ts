// Once per test run, for the "consumers" project: pack the package (the tarball a user downloads), install it
// into a fresh temporary project with `npm install --offline` (it has no dependencies), copy the consumer
// folders beside that node_modules/, and start the one headless Chromium the browser checks connect to.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { assertChromium, launchOptions } from "../browser/chromium.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The temporary consumer root: node_modules/wasmconv (from the tarball) and one folder per environment. */
    consumersDir: string;
    /** The packed tarball's path. */
    tarball: string;
    /** playwright's websocket endpoint of the shared Chromium. */
    chromiumWs: string;
  }
}

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(root, "build/index.js")) || !existsSync(join(root, "build/generated/wasm_bytes.js"))) {
    throw new Error("build/ is missing: run `npm run build` first (`npm test` does it in pretest)");
  }
  assertChromium();
  const work = mkdtempSync(join(tmpdir(), "wasmconv-consumers-"));
  const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  // --ignore-scripts: `prepare` would rebuild; pretest has just built build/.
  const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
    cwd: root, encoding: "utf8", env: npmEnv, stdio: ["ignore", "pipe", "pipe"],
  }));
  const tarball = join(work, packed[0].filename as string);
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "wasmconv-consumers", private: true, type: "module" }, null, 2));
  execFileSync("npm", ["install", "--offline", "--no-package-lock", tarball], { cwd: work, env: npmEnv, stdio: "pipe" });
  for (const name of readdirSync(here)) {
    if (statSync(join(here, name)).isDirectory()) cpSync(join(here, name), join(work, name), { recursive: true });
  }
  const server = await chromium.launchServer({ ...launchOptions, headless: true });
  project.provide("consumersDir", work);
  project.provide("tarball", tarball);
  project.provide("chromiumWs", server.wsEndpoint());
  return async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  };
}
