// The package as a user gets it: `npm pack`, install the tarball into a fresh project, import it from a
// plain Node ESM script with no configuration, and get a real conv2d result from the WebAssembly kernels.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wasmconv-consumer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("contains the built JS, types and inlined kernels, and nothing else", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
    expect(files).toContain("build/index.js");
    expect(files).toContain("build/index.d.ts");
    expect(files).toContain("build/generated/wasm_bytes.js");
    expect(files.filter((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("assembly/"))).toEqual([]);
  });

  it("installs into a fresh project and imports from Node ESM with no configuration", () => {
    execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: root, stdio: "pipe" });
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(work, tgz)], { cwd: work, stdio: "pipe" });
    writeFileSync(join(work, "main.js"), `
      import { tensor, F, nn, d2l, ready } from "wasmconv";
      await ready();
      const y = d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]]));
      const z = new nn.Conv2d(1, 1, 2).forward(tensor([[[[1, 2], [3, 4]]]]));
      console.log(JSON.stringify({ y: y.toArray(), z: z.shape, printed: String(y), same: F.conv2d !== undefined }));
    `);
    const out = JSON.parse(execFileSync("node", ["main.js"], { cwd: work, encoding: "utf8" }));
    expect(out.y).toEqual([[19, 25], [37, 43]]);
    expect(out.z).toEqual([1, 1, 1, 1]);
    expect(out.printed).toBe("tensor([[19., 25.],\n        [37., 43.]])");
  });
});
