// Package hygiene on the packed tarball: publint, "Are the types wrong?" (ESM-only profile: the package ships
// ES modules only; Node >= 20.19 can still require() it, see node.test.ts), the package.json fields bundlers
// rely on, and the size budget (size-limit, gzipped; .size-limit.js).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tarball = inject("tarball");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

describe("package hygiene", () => {
  it("publint finds nothing, not even a suggestion", async () => {
    const publint = fileURLToPath(new URL("../../node_modules/publint/src/cli.js", import.meta.url));
    const r = await run([publint, "run", tarball, "--level", "suggestion", "--strict"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("All good!");
  });

  it("@arethetypeswrong/cli finds no problem (ESM-only profile)", async () => {
    const attw = fileURLToPath(new URL("../../node_modules/@arethetypeswrong/cli/dist/index.js", import.meta.url));
    const r = await run([attw, tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-emoji", "--no-color"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("package.json declares what bundlers and TypeScript rely on", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", `file://${root}`), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toEqual(["build/"]);
    expect(Object.keys(pkg.exports["."])[0]).toBe("types");
    expect(pkg.exports["."].types).toBe("./build/index.d.ts");
  });

  it("stays within the size budget (size-limit, gzipped)", async () => {
    const bin = fileURLToPath(new URL("../../node_modules/size-limit/bin.js", import.meta.url));
    const r = await run([bin, "--json"]);
    const checks = JSON.parse(r.stdout) as { name: string; passed: boolean; size: number; sizeLimit: number }[];
    console.log(checks.map((c) => `${c.name}: ${(c.size / 1000).toFixed(1)} kB (limit ${(c.sizeLimit / 1000).toFixed(0)} kB)`).join("\n"));
    const configured = (await import("../../.size-limit.js")).default as unknown[];
    expect(checks.length).toBe(configured.length); // every budgeted file was measured
    expect(checks.length).toBeGreaterThanOrEqual(4);
    for (const c of checks) expect(c.passed, `${c.name}: ${c.size} B > ${c.sizeLimit} B`).toBe(true);
    expect(r.code).toBe(0);
  });
});
