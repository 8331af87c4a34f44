// The multiplier curve, ported operation for operation from GrowthCurve.swift
// (Sources/AscentCore/GrowthCurve.swift). IEEE-754 doubles in JavaScript round exactly as Swift's
// Double does, so the page computes the very same hundredths as the round authority.

/** Largest multiplier (hundredths) the curve reports, as the server's GrowthCurve.ceiling. */
export const CEILING_HUNDREDTHS = 2 ** 60;

const scratch = new DataView(new ArrayBuffer(8));

/** 2^k for an integer k in the normal range, built from its bit pattern so it is exact everywhere. */
function powerOfTwo(k) {
  // Biased exponent k + 1023, zero mantissa. Math.pow is not specified to be exact.
  scratch.setUint32(0, (k + 1023) << 20);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** e^x for finite x >= 0, reproducible bit for bit (Cody–Waite reduction, degree-17 Horner). */
export function exponential(x) {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError("exponential is defined for finite x >= 0");
  if (x > 700) return Infinity;
  const ln2High = 6.93147180369123816490e-01;
  const ln2Low = 1.90821492927058770002e-10;
  const inverseLn2 = 1.44269504088896338700e+00;
  const k = Math.floor(x * inverseLn2 + 0.5);
  const r = (x - k * ln2High) - k * ln2Low;
  let sum = 1.0;
  for (let n = 17; n >= 1; n--) sum = 1.0 + r * sum / n; // (r * sum) / n, left to right as in Swift
  return sum * powerOfTwo(k); // sum is in [0.7, 1.5), k <= 1010: the product is exact
}

/** m(t) in hundredths for `elapsedMs` whole milliseconds after take-off (100 at or before take-off). */
export function multiplierHundredths(ratePerMillisecond, elapsedMs) {
  if (elapsedMs <= 0) return 100;
  const value = 100 * exponential(ratePerMillisecond * elapsedMs);
  if (!(value < CEILING_HUNDREDTHS)) return CEILING_HUNDREDTHS;
  return Math.floor(value);
}

/** The first whole millisecond after take-off at which the curve is at or above `targetHundredths`. */
export function firstElapsedMsReaching(ratePerMillisecond, targetHundredths) {
  if (targetHundredths <= 100) return 0;
  // Same search as the server: exponential bound, then bisection on the forward function.
  let high = 1;
  while (multiplierHundredths(ratePerMillisecond, high) < targetHundredths) high *= 2;
  let low = Math.floor(high / 2);
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (multiplierHundredths(ratePerMillisecond, middle) >= targetHundredths) high = middle; else low = middle;
  }
  return high;
}

/**
 * Predicts the multiplier between server ticks.
 *
 * The client knows tookOffAt (server clock) and estimates the server clock as local clock + offset.
 * It shows max(prediction, last tick) so the display never goes backwards when a tick arrives
 * slightly ahead of the prediction, and it never shows a value above a known crash point.
 */
export class CurvePredictor {
  constructor(ratePerMillisecond) {
    this.rate = ratePerMillisecond;
    this.tookOffAt = null;
    this.lastTick = { m: 100, at: 0 };
    this.crashedAt = null;
    this.crashHundredths = null;
  }

  /** The round took off at server instant `at`. */
  takeOff(at) {
    this.tookOffAt = at;
    this.lastTick = { m: 100, at };
    this.crashedAt = null;
    this.crashHundredths = null;
  }

  /** A tick frame from the server: the authoritative value at instant `at`. */
  tick(m, at) {
    if (at >= this.lastTick.at) this.lastTick = { m, at };
  }

  /** The round crashed at `crashHundredths`; the display freezes there. */
  crash(crashHundredths, at) {
    this.crashHundredths = crashHundredths;
    this.crashedAt = at;
  }

  /** Clears the round (a new round opened). */
  reset() {
    this.tookOffAt = null;
    this.lastTick = { m: 100, at: 0 };
    this.crashedAt = null;
    this.crashHundredths = null;
  }

  /** The value to display at estimated server instant `serverNow` (hundredths), or null if not flying. */
  valueAt(serverNow) {
    if (this.crashHundredths !== null) return this.crashHundredths;
    if (this.tookOffAt === null) return null;
    const elapsed = Math.floor(serverNow - this.tookOffAt);
    const predicted = multiplierHundredths(this.rate, elapsed);
    return Math.max(predicted, this.lastTick.m);
  }
}
