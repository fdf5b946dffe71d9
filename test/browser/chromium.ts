// How every browser test starts Chromium: Debian's package (/usr/bin/chromium, installed by .ci/run), headless,
// with the background services off (this machine has no network beyond the package registries, and without
// these flags Chromium keeps retrying its update, sync and field-trial hosts).
// CHROMIUM_PATH overrides the executable.
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless=new",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

export const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };

/** Throws a readable error when Chromium is missing (rather than playwright's "download the browser" hint). */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests use Debian's package ` +
        "(apt-get update && apt-get install -y chromium; .ci/run does this) or set CHROMIUM_PATH",
    );
  }
}
