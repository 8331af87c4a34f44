import { readFileSync } from "node:fs";
import { test, check, equal } from "./harness.mjs";
import { exponential, multiplierHundredths, firstElapsedMsReaching, CurvePredictor, CEILING_HUNDREDTHS } from "../curve.js";

// Values printed by a verbatim copy of the server's GrowthCurve (fixtures/curve-reference.swift).
const reference = JSON.parse(readFileSync(new URL("./fixtures/curve-reference.json", import.meta.url)));
const rates = { "6e-05": 0.00006, "0.0001": 0.0001, "4.321e-05": 0.00004321 };

const bits = (x) => { const v = new DataView(new ArrayBuffer(8)); v.setFloat64(0, x); return v.getBigUint64(0).toString(16); };

test("curve: the brief's known values at r = 0.00006", () => {
  equal(multiplierHundredths(0.00006, 0), 100, "m(0)");
  equal(multiplierHundredths(0.00006, -5), 100, "m(-5)");
  equal(multiplierHundredths(0.00006, 11552), 199, "m(11552)");
  equal(multiplierHundredths(0.00006, 11553), 200, "m(11553)");
  equal(firstElapsedMsReaching(0.00006, 200), 11553, "first ms at 2.00x");
});

test("curve: exponential is bit-identical to Swift's on reference points", () => {
  for (const [x, hex] of Object.entries(reference.expBits)) equal(bits(exponential(Number(x))), hex, `exp(${x}) bits`);
  equal(exponential(700.5), Infinity, "exp above 700");
});

test("curve: every millisecond 0...300000 equals Swift's (FNV-1a of the sequence), at three rates", () => {
  for (const [key, rate] of Object.entries(rates)) {
    let fnv = 0xcbf29ce484222325n;
    const mask = (1n << 64n) - 1n;
    for (let t = 0; t <= 300000; t++) fnv = ((fnv ^ BigInt(multiplierHundredths(rate, t))) * 0x100000001b3n) & mask;
    equal(fnv.toString(16), reference[key].fnv1a_0_300000, `hash of m(0...300000) at r=${rate}`);
    for (const [t, m] of Object.entries(reference[key].samples)) equal(multiplierHundredths(rate, Number(t)), m, `m(${t}) at r=${rate}`);
    for (const [target, t] of Object.entries(reference[key].first)) equal(firstElapsedMsReaching(rate, Number(target)), t, `first ms reaching ${target} at r=${rate}`);
  }
});

test("curve: monotonic, and each hundredth boundary is the first millisecond reaching it (0...120000 ms)", () => {
  let previous = 100;
  for (let t = 1; t <= 120000; t++) {
    const m = multiplierHundredths(0.00006, t);
    check(m >= previous, `m(${t}) = ${m} < m(${t - 1}) = ${previous}`);
    if (m > previous) check(firstElapsedMsReaching(0.00006, m) === t, `first ms reaching ${m} should be ${t}`);
    previous = m;
  }
});

test("curve: the ceiling caps huge values", () => {
  equal(multiplierHundredths(0.0001, 400000), CEILING_HUNDREDTHS, "capped");
});

test("predictor: predicts between ticks, never goes back below a tick, freezes at the crash", () => {
  const p = new CurvePredictor(0.00006);
  equal(p.valueAt(1000), null, "not flying");
  p.takeOff(10000);
  equal(p.valueAt(10000), 100, "at take-off");
  equal(p.valueAt(10000 + 11553), 200, "predicted 2.00x");
  p.tick(205, 10000 + 11600);            // a tick ahead of our (late) clock estimate wins
  equal(p.valueAt(10000 + 11553), 205, "snapped to the tick");
  p.tick(150, 10000 + 5000);             // an older tick does not move the display back
  equal(p.valueAt(10000 + 11553), 205, "older tick ignored");
  p.crash(231, 10000 + 14000);
  equal(p.valueAt(10000 + 20000), 231, "frozen at the crash point");
});
