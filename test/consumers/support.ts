// What the consumer and demo tests share: a static file server, the shared Chromium, and running a page or a
// Node script until it reports its result.
import { execFile } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { inject } from "vitest";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

export interface Served { url: string; close(): Promise<void> }

/**
 * Serves `dir` as plain static files on 127.0.0.1 (a free port), like any web server would: no special
 * headers (no COOP/COEP), the usual MIME types.
 */
export async function serveStatic(dir: string): Promise<Served> {
  const base = normalize(dir + sep);
  const server: Server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(base, path));
    let ok = file.startsWith(base);
    try { ok = ok && statSync(file).isFile(); } catch { ok = false; }
    if (!ok) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Connects to the Chromium that global-setup.ts started (one browser for all the checks). */
export async function sharedChromium(): Promise<Browser> {
  return chromium.connect(inject("chromiumWs"));
}

export interface PageRun<T> { result: T; errors: string[]; page: Page }

/**
 * Opens `url` in a fresh context and waits until the page sets `window.__wasmconv`; returns it with the
 * page's errors (uncaught exceptions and console errors).
 */
export async function runPage<T = any>(browser: Browser, url: string, timeout = 60_000): Promise<T & { errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // Browsers ask for /favicon.ico by themselves; a missing one is not the page's error.
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(`console: ${m.text()}`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as any).__wasmconv !== undefined, null, { timeout }).catch((e) => {
      throw new Error(`${url} reported nothing within ${timeout} ms (${errors.join("; ") || e.message})`);
    });
    const result = await page.evaluate(() => (window as any).__wasmconv);
    return { ...result, errors };
  } finally {
    await context.close();
  }
}

/** Runs `node <args>` in `cwd` and parses the last line of its stdout as JSON. */
export function runNode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`node ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve({ ...JSON.parse(last), stderr });
      } catch {
        reject(new Error(`node ${args.join(" ")} printed no JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** The numbers every consumer must report (see shared/check.js). */
export const EXPECTED = {
  corr2d: [[19, 25], [37, 43]],
  printed: "tensor([[19., 25.],\n        [37., 43.]])",
  conv2dShape: [1, 1, 3, 3],
  conv2d: [[10, 14, 18], [26, 30, 34], [42, 46, 50]],
  weightGrad: [[45, 54], [81, 90]],
};
