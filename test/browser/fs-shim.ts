// A stand-in for `node:fs` in the Chromium test project (aliased in vitest.config.ts), so that kernel suites
// which read PyTorch fixtures with existsSync/readFileSync run unchanged in the browser. It serves
// test/fixtures/*.json only, from a map that Vite builds at transform time; any other path does not exist.
const raw: Record<string, string> = import.meta.glob("../fixtures/*.json", { eager: true, query: "?raw", import: "default" });

function fixtureKey(path: string | URL): string | undefined {
  const p = typeof path === "string" ? path : path.pathname;
  const m = /(?:^|\/)fixtures\/([^/]+\.json)$/.exec(p);
  return m ? `../fixtures/${m[1]}` : undefined;
}

export function existsSync(path: string | URL): boolean {
  const k = fixtureKey(path);
  return k !== undefined && k in raw;
}

export function readFileSync(path: string | URL, _encoding?: unknown): string {
  const k = fixtureKey(path);
  if (k === undefined || !(k in raw)) {
    throw new Error(`ENOENT: ${String(path)} (the browser's node:fs stand-in serves test/fixtures/*.json only)`);
  }
  return raw[k];
}

export default { existsSync, readFileSync };
