import { readFileSync } from "node:fs";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { test, check, equal } from "./harness.mjs";
import { sha256Sync, hmacSha256Sync } from "../sha256.js";
import { ascentCrashHundredths, crashHundredthsFromBits, previousSeed, verifyRound, hexToBytes } from "../fairness.js";

// `ascent verify --scheme ascent --salt 'my salt' --hash 8349…ab4 --count N [--house-edge-bp E]`,
// printed by the server's own verifier: newest round first, each line's hash is SHA-256 of the one above.
const vectors = (name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8").trim().split("\n")
  .map((line) => { const [seed, x] = line.split(" "); return { seed, hundredths: BigInt(Math.round(parseFloat(x) * 100)) }; });

for (const [file, edge] of [["ascent-my-salt-edge100.txt", 100], ["ascent-my-salt-edge0.txt", 0], ["ascent-my-salt-edge500.txt", 500]]) {
  test(`fairness: crash points and chain equal ascent verify's (${file})`, async () => {
    const rows = vectors(file);
    for (let i = 0; i < rows.length; i++) {
      equal(await ascentCrashHundredths(rows[i].seed, "my salt", edge), rows[i].hundredths, `crash of ${rows[i].seed}`);
      if (i + 1 < rows.length) equal(await previousSeed(rows[i].seed), rows[i + 1].seed, `SHA-256 of ${rows[i].seed}`);
    }
  });
}

test("fairness: docs/fairness.md's worked example (4.01x, commitment 0465e8…)", async () => {
  const seed = "834985a5c5782f07572352243a3e8ab9bd8a33a82bb6d31787d321df2e031ab4";
  equal(await previousSeed(seed), "0465e841157c3fc0686fccf9c023ee352388773d77adc554b87a0ec57e2a5427", "commitment");
  equal(await ascentCrashHundredths(seed, "my salt", 100), 401n, "crash");
});

test("fairness: the formula's edges (r = 0 → 1.00x unless E = 0; r = 2^52 − 1 is the largest)", () => {
  equal(crashHundredthsFromBits(0n, 100), 100n, "r=0, 1% edge");
  equal(crashHundredthsFromBits(0n, 0), 100n, "r=0, no edge");
  equal(crashHundredthsFromBits((1n << 52n) - 1n, 100), 99n << 52n, "largest r: 9900·2^52/100");
  let threw = false; try { crashHundredthsFromBits(1n << 52n, 100); } catch { threw = true; }
  check(threw, "r of 53 bits must be refused");
});

test("fairness: verifyRound reports each check, ✗ when anything is off", async () => {
  const rows = vectors("ascent-my-salt-edge100.txt");
  const good = await verifyRound({ seed: rows[1].seed, salt: "my salt", houseEdgeBasisPoints: 100,
    commitment: rows[2].seed, previousRoundSeed: rows[2].seed, crashPointHundredths: Number(rows[1].hundredths) });
  equal(good.checks.map((c) => c.ok), [true, true, true], "all pass");
  const bad = await verifyRound({ seed: rows[1].seed, salt: "my salt", houseEdgeBasisPoints: 100,
    commitment: rows[3].seed, crashPointHundredths: Number(rows[1].hundredths) + 1 });
  equal(bad.checks.map((c) => c.ok), [false, false], "both fail");
  const wrongSalt = await verifyRound({ seed: rows[1].seed, salt: "other salt", houseEdgeBasisPoints: 100, crashPointHundredths: Number(rows[1].hundredths) });
  equal(wrongSalt.checks.map((c) => c.ok), [false], "wrong salt fails");
});

test("fairness: walking the chain back to the terminating hash", async () => {
  const rows = vectors("ascent-my-salt-edge100.txt");
  // Pretend rows[399] is s_0 (the terminating hash): rows[399 − i] is then round i's seed.
  const result = await verifyRound({ seed: rows[389].seed, salt: "my salt", houseEdgeBasisPoints: 100, round: 10, terminatingHash: rows[399].seed });
  equal(result.checks.map((c) => c.ok), [true], "10 hashes lead to s_0");
  const wrong = await verifyRound({ seed: rows[389].seed, salt: "my salt", houseEdgeBasisPoints: 100, round: 11, terminatingHash: rows[399].seed });
  equal(wrong.checks.map((c) => c.ok), [false], "wrong round number fails");
});

test("fairness: a malformed seed is refused with a clear error", () => {
  for (const bad of ["", "xyz", "83".repeat(31), "g".repeat(64)]) {
    let message = ""; try { hexToBytes(bad); } catch (e) { message = e.message; }
    equal(message, "a seed is 64 hexadecimal digits", `seed ${JSON.stringify(bad)}`);
  }
});


test("fairness: the plain-JS SHA-256 and HMAC (no-WebCrypto fallback) equal OpenSSL's for every length 0...300", () => {
  for (let n = 0; n <= 300; n++) {
    const data = randomBytes(n), key = randomBytes(n % 150);
    equal(Buffer.from(sha256Sync(data)).toString("hex"), createHash("sha256").update(data).digest("hex"), `sha256 of ${n} bytes ${data.toString("hex")}`);
    equal(Buffer.from(hmacSha256Sync(key, data)).toString("hex"), createHmac("sha256", key).update(data).digest("hex"), `hmac, key ${key.toString("hex")}, data ${data.toString("hex")}`);
  }
  equal(Buffer.from(sha256Sync(new TextEncoder().encode("abc"))).toString("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-4 \"abc\"");
});

test("fairness: without WebCrypto the verifier gives the same answers", async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
  try {
    const rows = vectors("ascent-my-salt-edge100.txt").slice(0, 20);
    for (let i = 0; i < rows.length; i++) {
      equal(await ascentCrashHundredths(rows[i].seed, "my salt", 100), rows[i].hundredths, `crash of ${rows[i].seed}`);
      if (i + 1 < rows.length) equal(await previousSeed(rows[i].seed), rows[i + 1].seed, `SHA-256 of ${rows[i].seed}`);
    }
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
});
