/// A payout multiplier in hundredths: 100 is 1.00x, 296 is 2.96x.
public struct Multiplier: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The multiplier times 100.
    public let hundredths: Int64

    /// A multiplier of `hundredths` / 100.
    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// 1.00x: the value of the curve at take-off.
    public static let one = Multiplier(hundredths: 100)

    public static func < (lhs: Multiplier, rhs: Multiplier) -> Bool { lhs.hundredths < rhs.hundredths }

    /// The multiplier with two decimals and a trailing `x`, as players see it: `2.96x`.
    public var description: String { Money.formatDecimal(hundredths, exponent: 2) + "x" }

    /// Parses `2.96`, `2.96x`, `2` or `2.9` (at most two decimals, no sign); nil otherwise.
    public init?(parsing text: String) {
        var body = Substring(text)
        if body.hasSuffix("x") || body.hasSuffix("X") { body = body.dropLast() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), whole.count <= 15,
              let wholeValue = Int64(whole) else { return nil }
        var fractionValue: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let value = Int64(fraction) else { return nil }
            fractionValue = fraction.count == 1 ? value * 10 : value
        }
        self.init(hundredths: wholeValue * 100 + fractionValue)
    }
}
