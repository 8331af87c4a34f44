/// The multiplier curve m(t) = floor(100 · e^(r·t)) / 100, t in milliseconds since take-off.
///
/// The exponential is computed by `GrowthCurve.exponential`, which uses only IEEE-754 addition,
/// multiplication, division and exact scaling by powers of two, so every platform that follows
/// IEEE-754 double arithmetic (Swift anywhere, JavaScript in the player's browser) computes the very
/// same hundredths for the same t. The inverse is derived from the forward function by search, so
/// the two agree exactly at every hundredth boundary.
public struct GrowthCurve: Hashable, Sendable {
    /// Growth rate r per millisecond (0.00006 by default: 2.00x after about 11.55 s).
    public let ratePerMillisecond: Double

    /// The default curve of the brief, r = 0.00006 per ms.
    public static let standard = GrowthCurve(ratePerMillisecond: 0.00006)

    /// Largest multiplier the curve reports; far above any crash point a 52-bit draw can give.
    public static let ceiling = Multiplier(hundredths: 1 << 60)

    /// A curve with growth rate `ratePerMillisecond`, which must be positive and finite.
    public init(ratePerMillisecond: Double) {
        precondition(ratePerMillisecond > 0 && ratePerMillisecond.isFinite, "curve rate must be positive")
        self.ratePerMillisecond = ratePerMillisecond
    }

    /// m(t) for `elapsedMilliseconds` since take-off (1.00x at or before take-off).
    public func multiplier(atElapsedMilliseconds elapsedMilliseconds: Int64) -> Multiplier {
        guard elapsedMilliseconds > 0 else { return .one }
        let value = 100 * GrowthCurve.exponential(ratePerMillisecond * Double(elapsedMilliseconds))
        guard value < Double(GrowthCurve.ceiling.hundredths) else { return GrowthCurve.ceiling }
        return Multiplier(hundredths: Int64(value.rounded(.down)))
    }

    /// The first whole millisecond after take-off at which the curve is at or above `target`:
    /// `multiplier(atElapsedMilliseconds: t) >= target` and, when t > 0, the millisecond before is below.
    public func firstElapsedMilliseconds(reaching target: Multiplier) -> Int64 {
        guard target > .one else { return 0 }
        precondition(target <= GrowthCurve.ceiling, "target above the curve's ceiling")
        // Exponential search for an upper bound, then bisection: about 2·log2(t) evaluations.
        var high: Int64 = 1
        while multiplier(atElapsedMilliseconds: high) < target { high *= 2 }
        var low: Int64 = high / 2   // m(low) < target, or low == 0 where m(0) = 1.00 < target
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if multiplier(atElapsedMilliseconds: middle) >= target { high = middle } else { low = middle }
        }
        return high
    }

    /// e^x for x >= 0, reproducible bit for bit on any IEEE-754 platform.
    ///
    /// x = k·ln2 + r with |r| <= ln2/2 (Cody–Waite split of ln2 so k·ln2Hi is exact), then a degree-17
    /// Horner polynomial for e^r (truncation error below 2^-60), then exact scaling by 2^k.
    public static func exponential(_ x: Double) -> Double {
        precondition(x >= 0 && x.isFinite, "exponential is defined here for finite x >= 0")
        if x > 700 { return .infinity }
        let ln2High = 6.93147180369123816490e-01
        let ln2Low = 1.90821492927058770002e-10
        let inverseLn2 = 1.44269504088896338700e+00
        let k = (x * inverseLn2 + 0.5).rounded(.down)
        let r = (x - k * ln2High) - k * ln2Low
        var sum = 1.0
        var n = 17.0
        while n >= 1 {
            sum = 1.0 + r * sum / n
            n -= 1
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }
}
