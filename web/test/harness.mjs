// A tiny test harness: named tests, a failure count, and an exit status CI can read.
const tests = [];
/** Registers a test; `body` may be async and throws (or calls fail) on failure. */
export function test(name, body) { tests.push({ name, body }); }
/** Throws with `message` unless `condition` holds. */
export function check(condition, message) { if (!condition) throw new Error(message); }
/** Throws unless `actual` and `expected` are identical (===, or equal JSON for objects). */
export function equal(actual, expected, what) {
  const same = typeof actual === "object" ? JSON.stringify(actual) === JSON.stringify(expected) : actual === expected;
  if (!same) throw new Error(`${what}: expected ${fmt(expected)}, got ${fmt(actual)}`);
}
const fmt = (v) => typeof v === "bigint" ? `${v}n` : JSON.stringify(v);
/** Runs every registered test and exits 1 if any failed. */
export async function run() {
  let failed = 0;
  for (const t of tests) {
    try { await t.body(); console.log(`ok   ${t.name}`); }
    catch (e) { failed++; console.log(`FAIL ${t.name}\n     ${e && e.stack ? e.stack.split("\n").slice(0, 3).join("\n     ") : e}`); }
  }
  console.log(`\n${tests.length - failed} passed, ${failed} failed, ${tests.length} tests`);
  process.exitCode = failed ? 1 : 0;
}
