import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { launchOptions } from "./test/browser/chromium.js";

const fsShim = fileURLToPath(new URL("./test/browser/fs-shim.ts", import.meta.url));

export default defineConfig({
  test: {
    testTimeout: 120_000,
    // Forks keep each test file's WebAssembly memory apart; two workers match the two cores of CI.
    pool: "forks",
    maxWorkers: 2,
    // The JSON report (all three projects) is what .ci/run counts for its "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    projects: [
      {
        // The kernel and facade suites in Node (the built-in WebAssembly engine, V8).
        extends: true,
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "test/consumers/**", "**/node_modules/**"],
        },
      },
      {
        // The same suites in headless Chromium (vitest browser mode), plus the browser-only loader tests.
        // Suites that read fixtures with node:fs get a stand-in that serves test/fixtures/*.json.
        extends: true,
        resolve: { alias: [{ find: /^(node:)?fs$/, replacement: fsShim }] },
        test: {
          name: "chromium",
          include: ["test/kernels/*.test.ts", "test/facade/*.test.ts", "test/browser/*.browser.test.ts"],
          // The 10,000-step memory loops are about the allocator, not the engine: Node runs them.
          exclude: ["test/facade/memory*.test.ts"],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions }),
            instances: [{ browser: "chromium" }],
            screenshotFailures: false,
          },
        },
      },
      {
        // The packed tarball in one small consumer project per environment (Node, Chromium, bundlers),
        // package hygiene (publint, attw, types, size budget) and the demo page. globalSetup packs once and
        // starts the one Chromium these files share.
        extends: true,
        test: {
          name: "consumers",
          include: ["test/consumers/*.test.ts", "test/browser/demo.test.ts"],
          globalSetup: ["test/consumers/global-setup.ts"],
        },
      },
    ],
  },
});
