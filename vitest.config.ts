import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // Forks keep each test file's WebAssembly memory apart; two workers match the two cores of CI.
    pool: "forks",
    maxWorkers: 2,
    // The JSON report is what .ci/run counts for its "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
