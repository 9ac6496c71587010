#!/usr/bin/env node
// Runs the browser suite (node's test runner, one file at a time, in order)
// against an already-running server: BASE_URL=http://127.0.0.1:PORT npm run e2e
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { preflight } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
try {
  preflight();
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(2);
}
const files = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(here, "stories.test.mjs")];
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
