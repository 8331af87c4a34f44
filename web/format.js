// Text for money and multipliers, and exact parsing of what the player types (strings to
// integers digit by digit: a float would turn "0.29" into 28 cents).

/** "12.50" for 1250 minor units at exponent 2 (BigInt or Number in). */
export function formatMinor(minor, exponent) {
  let value = BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const text = value.toString().padStart(exponent + 1, "0");
  const whole = text.slice(0, text.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = exponent > 0 ? "." + text.slice(text.length - exponent) : "";
  return (negative ? "-" : "") + whole + fraction;
}

/** "2.96" for 296 hundredths. */
export function formatHundredths(hundredths) {
  const value = BigInt(hundredths);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, "0")}`;
}

/**
 * Parses a decimal amount the player typed into minor units: "12.5" at exponent 2 → 1250.
 * Returns null for anything that is not a plain non-negative decimal with at most `exponent`
 * fraction digits (so nothing is silently rounded).
 */
export function parseAmount(text, exponent) {
  const match = /^\s*(\d{1,15})(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) return null;
  const minor = BigInt(match[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  return minor > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(minor);
}

/** Parses a multiplier the player typed ("2", "2.5", "2.50x") into hundredths, or null. */
export function parseMultiplier(text) {
  const match = /^\s*(\d{1,12})(?:[.,](\d{0,2}))?\s*x?\s*$/i.exec(String(text));
  if (!match) return null;
  return Number(BigInt(match[1]) * 100n + BigInt((match[2] ?? "").padEnd(2, "0")));
}

/** What a bet of `stakeMinor` pays at `hundredths`: floor(stake × m / 100), capped at the maximum win. */
export function payoutMinor(stakeMinor, hundredths, maxWinMinor) {
  const payout = (BigInt(stakeMinor) * BigInt(hundredths)) / 100n;
  const cap = BigInt(maxWinMinor);
  return Number(payout < cap ? payout : cap);
}

/** Colour class of a crash point chip: the bands most crash games use. */
export function chipClass(hundredths) {
  if (hundredths < 200) return "chip-low";
  if (hundredths < 1000) return "chip-mid";
  return "chip-high";
}

/** A fresh random bet id: 128 bits as 32 hex digits (crypto.getRandomValues). */
export function makeBetId(random = globalThis.crypto) {
  const bytes = new Uint8Array(16);
  random.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
