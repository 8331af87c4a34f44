import { test, equal } from "./harness.mjs";
import { formatMinor, formatHundredths, parseAmount, parseMultiplier, payoutMinor, chipClass, makeBetId } from "../format.js";

test("format: money in minor units at several exponents", () => {
  equal(formatMinor(1250, 2), "12.50", "EUR");
  equal(formatMinor(5, 2), "0.05", "cents");
  equal(formatMinor(123456789, 2), "1,234,567.89", "thousands");
  equal(formatMinor(1500, 0), "1,500", "JPY");
  equal(formatMinor(1n, 8), "0.00000001", "satoshi");
  equal(formatHundredths(296), "2.96", "multiplier");
  equal(formatHundredths(100), "1.00", "1.00x");
});

test("format: parsing amounts is exact and refuses what it cannot represent", () => {
  equal(parseAmount("0.29", 2), 29, "0.29 (a float would give 28)");
  equal(parseAmount("12.5", 2), 1250, "12.5");
  equal(parseAmount("12,5", 2), 1250, "decimal comma");
  equal(parseAmount("7", 2), 700, "whole");
  equal(parseAmount("7.", 2), 700, "trailing dot");
  equal(parseAmount("1.005", 2), null, "too many decimals");
  equal(parseAmount("-1", 2), null, "negative");
  equal(parseAmount("1e3", 2), null, "exponent notation");
  equal(parseAmount("", 2), null, "empty");
  equal(parseAmount("1500", 0), 1500, "exponent 0");
  equal(parseAmount("1.5", 0), null, "fraction at exponent 0");
});

test("format: parsing multipliers", () => {
  equal(parseMultiplier("2"), 200, "2");
  equal(parseMultiplier("2.5"), 250, "2.5");
  equal(parseMultiplier("2.50x"), 250, "2.50x");
  equal(parseMultiplier("1.01"), 101, "1.01");
  equal(parseMultiplier("2.345"), null, "three decimals");
  equal(parseMultiplier("abc"), null, "text");
});

test("format: live payout is floor(stake × m), capped at the maximum win", () => {
  equal(payoutMinor(250, 296, 1e9), 740, "2.50 at 2.96x");
  equal(payoutMinor(333, 150, 1e9), 499, "floor of 499.5");
  equal(payoutMinor(100000, 1152921504606846976n, 1000000000), 1000000000, "capped");
});

test("format: chip colours and bet ids", () => {
  equal([chipClass(100), chipClass(199), chipClass(200), chipClass(999), chipClass(1000)],
    ["chip-low", "chip-low", "chip-mid", "chip-mid", "chip-high"], "bands");
  const id = makeBetId();
  equal(/^[0-9a-f]{32}$/.test(id), true, "32 hex digits");
  equal(id === makeBetId(), false, "fresh each time");
});
