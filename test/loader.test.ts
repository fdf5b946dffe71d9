// Which build the loader picks in Node (the "node" project): Node 20's V8 has no relaxed SIMD unless started
// with --experimental-wasm-relaxed-simd, so it takes the simd build; WASMCONV_BUILD / WASMCONV_SCALAR force one.
// The forced cases run the built package (build/index.js) in a child process, since the choice is made once.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { kernelVariant, wasmBuild } from "../src/index.js";
import { buildBytes } from "../src/wasm.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const relaxedValidates = WebAssembly.validate(buildBytes("relaxed"));

/** wasmBuild() and kernelVariant() of a fresh Node with these env vars and flags, or its error. */
function childPick(env: Record<string, string>, flags: string[] = []): { out: string; err: string } {
  const code =
    'import("./build/index.js").then((m) => { const y = m.F.conv2d(m.ones([1, 8, 6, 6]), m.ones([8, 8, 3, 3]), null, { padding: 1 });' +
    ' console.log(m.wasmBuild(), m.kernelVariant(), y.toArray()[0][0][2][2]); })';
  const env0 = { ...process.env };
  delete env0.WASMCONV_BUILD;
  delete env0.WASMCONV_SCALAR;
  const r = spawnSync(process.execPath, [...flags, "-e", code], { cwd: root, env: { ...env0, ...env }, encoding: "utf8" });
  return { out: r.stdout.trim(), err: r.stderr };
}

describe("the loader in Node", () => {
  it("rebuilds the relaxed module byte for byte from the simd bytes and the inlined delta", () => {
    expect(Buffer.from(buildBytes("relaxed")).equals(readFileSync(`${root}.wasm-out/wasmconv.relaxed.wasm`))).toBe(true);
    expect(Buffer.from(buildBytes("simd")).equals(readFileSync(`${root}.wasm-out/wasmconv.simd.wasm`))).toBe(true);
  });

  it("takes the simd build where relaxed SIMD does not validate (Node 20 by default)", () => {
    if (relaxedValidates) {
      expect(wasmBuild()).toBe(process.env.WASMCONV_BUILD ?? "relaxed");
    } else {
      expect(wasmBuild()).toBe(process.env.WASMCONV_SCALAR === "1" ? "scalar" : process.env.WASMCONV_BUILD ?? "simd");
    }
    if (wasmBuild() !== "scalar") expect(kernelVariant()).toBe("f32x4");
  });

  it("WASMCONV_BUILD and WASMCONV_SCALAR=1 force a build; all builds give the same conv2d", () => {
    expect(childPick({}).out).toBe(`${relaxedValidates ? "relaxed" : "simd"} f32x4 72`);
    expect(childPick({ WASMCONV_BUILD: "simd" }).out).toBe("simd f32x4 72");
    expect(childPick({ WASMCONV_BUILD: "scalar" }).out).toBe("scalar scalar 72");
    expect(childPick({ WASMCONV_SCALAR: "1" }).out).toBe("scalar scalar 72");
  });

  it("relaxed SIMD behind --experimental-wasm-relaxed-simd: picked automatically, and forcing it without is an error", () => {
    // (Engines with relaxed SIMD on by default need no flag, and newer Node may no longer accept it.)
    const flags = relaxedValidates ? [] : ["--experimental-wasm-relaxed-simd"];
    expect(childPick({}, flags).out).toBe("relaxed f32x4 72");
    expect(childPick({ WASMCONV_BUILD: "relaxed" }, flags).out).toBe("relaxed f32x4 72");
    if (!relaxedValidates) {
      expect(childPick({ WASMCONV_BUILD: "relaxed" }).err).toMatch(/does not validate that build/);
    }
    expect(childPick({ WASMCONV_BUILD: "fast" }).err).toMatch(/WASMCONV_BUILD must be one of relaxed, simd, scalar/);
  });
});
