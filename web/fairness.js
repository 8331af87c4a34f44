// In-browser verification of Ascent's provably fair scheme (docs/fairness.md, scheme `ascent`),
// with WebCrypto for SHA-256 and HMAC-SHA256 and BigInt for the exact integer formula.
// Works in browsers and in Node 20; without WebCrypto (plain http off localhost) it uses sha256.js.

import { sha256Sync, hmacSha256Sync } from "./sha256.js";

// WebCrypto when the page has it (secure contexts: https, localhost); the plain-JS version otherwise.
const subtle = () => (globalThis.crypto && globalThis.crypto.subtle) || null;

/** The 32 raw bytes of a 64-digit lower- or upper-case hex seed; throws on anything else. */
export function hexToBytes(hex) {
  const clean = String(hex).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(clean)) throw new Error("a seed is 64 hexadecimal digits");
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Lower-case hex of bytes. */
export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of raw bytes. */
export async function sha256(bytes) {
  const s = subtle();
  return s ? new Uint8Array(await s.digest("SHA-256", bytes)) : sha256Sync(bytes);
}

/** HMAC-SHA256 with a raw key over raw bytes. */
export async function hmacSha256(keyBytes, messageBytes) {
  const s = subtle();
  if (!s) return hmacSha256Sync(keyBytes, messageBytes);
  const key = await s.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await s.sign("HMAC", key, messageBytes));
}

const TWO_52 = 1n << 52n;

/** The formula: max(100, ceil((10000 − E)·2^52 / (100·(2^52 − r)))) in exact integers (BigInt). */
export function crashHundredthsFromBits(r, houseEdgeBasisPoints) {
  const edge = BigInt(houseEdgeBasisPoints);
  if (r < 0n || r >= TWO_52) throw new RangeError("r has 52 bits");
  if (edge < 0n || edge >= 10000n) throw new RangeError("house edge must be 0 to 9999 basis points");
  const numerator = (10000n - edge) << 52n;
  const denominator = 100n * (TWO_52 - r);
  const ceiling = (numerator + denominator - 1n) / denominator;
  return ceiling < 100n ? 100n : ceiling;
}

/** Crash point (hundredths, a BigInt) of a round: HMAC(key = salt UTF-8, message = raw seed), first 52 bits. */
export async function ascentCrashHundredths(seedHex, salt, houseEdgeBasisPoints) {
  const digest = await hmacSha256(new TextEncoder().encode(salt), hexToBytes(seedHex));
  const r = BigInt("0x" + bytesToHex(digest).slice(0, 13));
  return crashHundredthsFromBits(r, houseEdgeBasisPoints);
}

/** Hex of SHA-256 over the seed's raw bytes: the commitment this seed proves, and the previous round's seed. */
export async function previousSeed(seedHex) {
  return bytesToHex(await sha256(hexToBytes(seedHex)));
}

/**
 * Checks one round. Inputs are what the page knows; any of the optional ones may be missing, and
 * a check that cannot be made is left out rather than reported as passed.
 *   seed                  revealed seed (hex)
 *   salt, houseEdgeBasisPoints
 *   commitment?           the commitment shown before betting
 *   previousRoundSeed?    the seed revealed by round − 1
 *   crashPointHundredths? the crash point the server announced
 *   round?, terminatingHash?, maxChainWalk?  walk `round` hashes back to the published terminating hash
 * Returns { crashHundredths, checks: [{ name, ok, detail }] }.
 */
export async function verifyRound(input) {
  const checks = [];
  const seed = String(input.seed).trim().toLowerCase();
  hexToBytes(seed); // throws a clear error on a bad seed
  const hashed = await previousSeed(seed);
  if (input.commitment) {
    const ok = hashed === input.commitment.toLowerCase();
    checks.push({ name: "SHA-256(seed) equals the round's commitment", ok, detail: hashed });
  }
  if (input.previousRoundSeed) {
    const ok = hashed === input.previousRoundSeed.toLowerCase();
    checks.push({ name: "SHA-256(seed) equals the previous round's seed", ok, detail: hashed });
  }
  const crash = await ascentCrashHundredths(seed, input.salt, input.houseEdgeBasisPoints);
  if (input.crashPointHundredths !== undefined && input.crashPointHundredths !== null) {
    const ok = crash === BigInt(input.crashPointHundredths);
    checks.push({ name: "recomputed crash point equals the announced one", ok,
      detail: `${formatHundredthsBig(crash)}x recomputed, ${formatHundredthsBig(BigInt(input.crashPointHundredths))}x announced` });
  }
  const limit = input.maxChainWalk ?? 100000;
  if (input.terminatingHash && Number.isInteger(input.round) && input.round >= 1 && input.round <= limit) {
    let bytes = hexToBytes(seed);
    for (let i = 0; i < input.round; i++) bytes = await sha256(bytes);
    const ok = bytesToHex(bytes) === input.terminatingHash.toLowerCase();
    checks.push({ name: `${input.round} hashes lead to the published terminating hash`, ok, detail: bytesToHex(bytes) });
  }
  return { crashHundredths: crash, checks };
}

/** "4.01" for 401n. */
export function formatHundredthsBig(h) {
  const whole = h / 100n;
  const cents = (h % 100n).toString().padStart(2, "0");
  return `${whole}.${cents}`;
}
