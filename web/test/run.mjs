// Runs the page's tests in Node 20 (no network, no packages): node web/test/run.mjs
import { run } from "./harness.mjs";
await import("./curve.test.mjs");
await import("./fairness.test.mjs");
await import("./format.test.mjs");
await import("./state.test.mjs");
await import("./connection.test.mjs");
await import("./view.test.mjs");
await import("./protocol.test.mjs");
await import("./dom-smoke.test.mjs");
await run();
process.exit(process.exitCode); // the smoke test leaves nothing running, but never hang CI
