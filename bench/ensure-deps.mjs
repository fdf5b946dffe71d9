// Installs the bench-only dependencies (bench/package.json, bench/package-lock.json) on first use, so that
// `npm run bench` works from a fresh clone while the package's own install never pulls TensorFlow.js.
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = JSON.parse(readFileSync(`${dir}package.json`, "utf8")).dependencies;
const missing = Object.entries(wanted).filter(([name, version]) => {
  const p = `${dir}node_modules/${name}/package.json`;
  return !existsSync(p) || JSON.parse(readFileSync(p, "utf8")).version !== version;
});
if (missing.length > 0) {
  console.error(`bench: installing ${missing.map(([n, v]) => `${n}@${v}`).join(", ")} into bench/node_modules`);
  const cmd = existsSync(`${dir}package-lock.json`) ? "ci" : "install";
  const r = spawnSync("npm", [cmd, "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) {
    console.error(`bench: npm ${cmd} failed in bench/; the tfjs contenders will be reported as unavailable`);
  }
}
