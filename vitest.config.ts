import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Two cores on CI: threads contend for them; forks keep each file's wasm memory apart.
    pool: "forks",
  },
});
