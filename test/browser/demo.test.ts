// The demo page (demo/, `npm run demo`) as a person uses it: build it with Vite, serve it statically, open it in
// headless Chromium, click through every panel, and check each number it shows against the library computed
// here in Node. Saves screenshots to test-results/demo.png (desktop) and test-results/demo-mobile.png.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { F, d2l, manualSeed, nn, optim, rand, tensor, type Tensor } from "../../build/index.js";
import { serveStatic, sharedChromium, type Served } from "../consumers/support.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "wasmconv-demo-"));
let browser: Browser;
let site: Served;
let page: Page;
const errors: string[] = [];

type M = number[][];
const as4d = (m: M) => tensor(m).reshape(1, 1, m.length, m[0].length);
const plane = (t: Tensor): M => t.reshape(t.shape[2], t.shape[3]).toArray();
const EDGES: M = Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);

async function values(testid: string): Promise<M> {
  return JSON.parse((await page.getAttribute(`[data-testid="${testid}"]`, "data-values"))!);
}
async function text(testid: string): Promise<string> {
  return (await page.textContent(`[data-testid="${testid}"]`))!.trim();
}
function expectMatrix(actual: M, expected: M, what: string, tol = 1e-5): void {
  expect([actual.length, actual[0]?.length], `${what}: shape`).toEqual([expected.length, expected[0]?.length]);
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      expect(Math.abs(actual[i][j] - expected[i][j]), `${what}[${i}][${j}] = ${actual[i][j]}, expected ${expected[i][j]}`)
        .toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i][j])));
    }
  }
}
const shapeOf = (m: M) => `[${m.length}, ${m[0].length}]`;
function close(actual: M, expected: M, tol: number): boolean {
  return actual.length === expected.length && actual.every((row, i) => row.length === expected[i].length &&
    row.every((v, j) => Math.abs(v - expected[i][j]) <= tol * (1 + Math.abs(expected[i][j]))));
}
/** Waits (the page redraws on the next animation frame after an edit) until `testid` shows `expected`. */
async function shows(testid: string, expected: M, what: string, tol = 1e-5): Promise<void> {
  await expect.poll(async () => close(await values(testid), expected, tol), { timeout: 5_000 }).toBe(true).catch(() => {});
  expectMatrix(await values(testid), expected, what, tol);
}

beforeAll(async () => {
  await build({
    configFile: join(root, "demo/vite.config.js"), logLevel: "silent",
    build: { outDir: join(out, "dist"), emptyOutDir: true },
  });
  site = await serveStatic(join(out, "dist"));
  browser = await sharedChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${site.url}/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(out, { recursive: true, force: true });
});

describe("the demo page in Chromium", () => {
  it("loads the SIMD kernels with no error", async () => {
    expect(await text("variant")).toContain("SIMD");
    expect(errors).toEqual([]);
  });

  it("panel 2: the [1, -1] kernel on the 6x8 edge image gives the chapter's edges", async () => {
    expect(await text("input-shape")).toBe("[6, 8]");
    await shows("input-heatmap", EDGES, "input");
    const shown = await values("corr-heatmap");
    expect(shown[0]).toEqual([0, 1, 0, 0, 0, -1, 0]);
    expectMatrix(shown, d2l.corr2d(tensor(EDGES), tensor([[1, -1]])).toArray(), "corr2d");
    expect(await text("corr-shape")).toBe("[6, 7]");
    expect(await text("corr-code")).toContain("d2l.corr2d(X, K)");
  });

  it("panel 2: presets, stride and padding, and hand-edited kernels match F.conv2d", async () => {
    await page.click('[data-testid="image-presets-digit7"]');
    await page.click('[data-testid="kernel-presets-sobelX"]');
    const X = await values("input-heatmap");
    expect(shapeOf(X)).toBe("[28, 28]");
    const sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    await shows("corr-heatmap", d2l.corr2d(tensor(X), tensor(sobel)).toArray(), "sobel x");
    expect(await text("corr-shape")).toBe("[26, 26]");

    await page.selectOption('[data-testid="corr-stride"]', "2");
    await page.selectOption('[data-testid="corr-padding"]', "1");
    const strided = plane(F.conv2d(as4d(X), as4d(sobel), undefined, { stride: 2, padding: 1 }));
    await shows("corr-heatmap", strided, "conv2d stride 2 padding 1");
    expect(await text("corr-shape")).toBe("[14, 14]");
    expect(await text("corr-code")).toContain("F.conv2d(X, K, undefined, { stride: 2, padding: 1 })");

    // A 2x2 kernel typed by hand
    await page.selectOption('[data-testid="corr-stride"]', "1");
    await page.selectOption('[data-testid="corr-padding"]', "0");
    await page.selectOption('[data-testid="kernel-size"]', "2x2");
    const cells = page.locator('[data-testid="kernel-grid"] input');
    expect(await cells.count()).toBe(4);
    const typed = [[0.5, -1], [2, 0.25]];
    for (let i = 0; i < 4; i++) await cells.nth(i).fill(String(typed[i >> 1][i & 1]));
    await page.waitForFunction(() => document.querySelector('[data-testid="kernel-shape"]')?.textContent === "[2, 2]");
    await shows("corr-heatmap", d2l.corr2d(tensor(X), tensor(typed)).toArray(), "typed 2x2 kernel");
  });

  it("panel 1: drawing on the grid changes the input, and the output follows", async () => {
    await page.click('[data-testid="image-presets-blank"]');
    await page.click('[data-testid="kernel-presets-laplacian"]');
    const box = (await page.locator('[data-testid="input-heatmap"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await page.mouse.down();
    for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * (0.2 + 0.05 * k), box.y + box.height * (0.3 + 0.03 * k));
    await page.mouse.up();
    await expect.poll(async () => (await values("input-heatmap")).flat().filter((v) => v > 0).length).toBeGreaterThan(20);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // the last stroke drawn
    const X = await values("input-heatmap");
    await shows("corr-heatmap", d2l.corr2d(tensor(X), tensor([[0, 1, 0], [1, -4, 1], [0, 1, 0]])).toArray(), "laplacian of the drawing");
  });

  it("panel 3: max and average pooling with window, stride and padding; a bad padding shows the library's error", async () => {
    await page.click('[data-testid="image-presets-circle"]');
    await page.selectOption('[data-testid="pool-k"]', "3");
    await page.selectOption('[data-testid="pool-stride"]', "2");
    await page.selectOption('[data-testid="pool-padding"]', "1");
    const X = await values("input-heatmap");
    const mx = plane(F.maxPool2d(as4d(X), 3, { stride: 2, padding: 1 }) as Tensor);
    const av = plane(F.avgPool2d(as4d(X), 3, { stride: 2, padding: 1 }));
    await shows("pool-max-heatmap", mx, "max pool");
    await shows("pool-avg-heatmap", av, "avg pool");
    expect(await text("pool-max-shape")).toBe(shapeOf(mx));
    expect(await text("pool-avg-shape")).toBe("[14, 14]");
    expect(await page.isHidden('[data-testid="pool-error"]')).toBe(true);

    await page.selectOption('[data-testid="pool-padding"]', "2");
    await page.waitForSelector('[data-testid="pool-error"]:not([hidden])');
    expect(await text("pool-error")).toMatch(/pad/i);
    await page.selectOption('[data-testid="pool-padding"]', "0");
    await page.selectOption('[data-testid="pool-k"]', "2");
    await expect.poll(() => page.isHidden('[data-testid="pool-error"]')).toBe(true);
    expect(await text("pool-max-shape")).toBe("[14, 14]");
  });

  it("panel 4: transposed convolution, the chapter's example, stride 2, and upsampling the pooled image", async () => {
    await shows("tconv-heatmap", [[0, 0, 1], [0, 4, 6], [4, 12, 9]], "transConv");
    expect(await text("tconv-shape")).toBe("[3, 3]");
    await page.selectOption('[data-testid="tconv-stride"]', "2");
    await shows("tconv-heatmap", [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]], "stride 2");
    await page.selectOption('[data-testid="tconv-source"]', "pool");
    const pooled = await values("pool-max-heatmap");
    const up = plane(F.convTranspose2d(as4d(pooled), as4d([[0, 1], [2, 3]]), undefined, { stride: 2 }));
    await shows("tconv-heatmap", up, "upsampled max-pool output");
    expect(await text("tconv-shape")).toBe("[28, 28]");
    await page.selectOption('[data-testid="tconv-padding"]', "1");
    const padded = plane(F.convTranspose2d(as4d(pooled), as4d([[0, 1], [2, 3]]), undefined, { stride: 2, padding: 1 }));
    await shows("tconv-heatmap", padded, "padding 1");
    expect(await text("tconv-shape")).toBe("[26, 26]");
  });

  it("panel 5: learning the [1, -1] kernel reproduces the same training run in Node", async () => {
    await page.selectOption('[data-testid="learn-target"]', "diff");
    await page.fill('[data-testid="learn-seed"]', "0");
    await page.click('[data-testid="learn-reset"]');
    await page.click('[data-testid="learn-train"]');
    await page.waitForSelector('[data-testid="panel-learn"][data-state="done"]', { timeout: 30_000 });

    // The same cell in Node: seed, Conv2d(1, 1, (1, 2), bias=False), SGD(lr=3e-2), squared error summed.
    manualSeed(0);
    const X = as4d(EDGES);
    const Y = d2l.corr2d(tensor(EDGES), tensor([[1, -1]])).reshape(1, 1, 6, 7);
    const conv = new nn.Conv2d(1, 1, [1, 2], { bias: false });
    const opt = new optim.SGD(conv.parameters(), { lr: 0.03 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 10; epoch++) {
      const l = conv.forward(X).sub(Y).pow(2).sum();
      opt.zeroGrad();
      l.backward();
      opt.step();
      losses.push(l.item());
    }
    const log = await text("learn-log");
    for (const e of [2, 4, 6, 8, 10]) expect(log).toContain(`epoch ${e}, loss ${losses[e - 1].toFixed(4)}`);
    expect(await text("learn-epoch")).toBe("10 / 10");
    expect(Number(await text("learn-loss"))).toBeCloseTo(losses[9], 4);
    expect(losses[9]).toBeLessThan(losses[0] / 20);
    await shows("learn-weights", plane(conv.weight), "learned weights", 1e-5);
    const w = (await values("learn-weights"))[0];
    expect(w[0]).toBeGreaterThan(0.9);
    expect(w[1]).toBeLessThan(-0.9);
  });

  it("panel 5: a 3x3 Sobel kernel is recovered from a random image", async () => {
    await page.selectOption('[data-testid="learn-target"]', "sobelX");
    expect(await page.inputValue('[data-testid="learn-epochs"]')).toBe("150");
    await page.click('[data-testid="learn-train"]');
    await page.waitForSelector('[data-testid="panel-learn"][data-state="done"]', { timeout: 60_000 });
    await shows("learn-weights", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "recovered Sobel x", 0.05);
    expect(Number(await text("learn-loss"))).toBeLessThan(0.01);
  });

  it("looks right: screenshots (desktop and phone width) with no page error", async () => {
    // Put the page back in its most telling state: the digit, Sobel x, the [1, -1] run finished.
    await page.click('[data-testid="image-presets-digit7"]');
    await page.click('[data-testid="kernel-presets-sobelX"]');
    await page.selectOption('[data-testid="tconv-padding"]', "0");
    await page.selectOption('[data-testid="learn-target"]', "diff");
    await page.click('[data-testid="learn-train"]');
    await page.waitForSelector('[data-testid="panel-learn"][data-state="done"]', { timeout: 30_000 });
    mkdirSync(join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: join(root, "test-results/demo.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300); // the resize handler redraws after 100 ms
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "no horizontal scrolling on a phone").toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(root, "test-results/demo-mobile.png"), fullPage: true });
    expect(errors).toEqual([]);
  });
});
