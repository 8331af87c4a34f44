/// An amount of money: an integer number of minor units of one currency. Never a float.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    /// The amount in the currency's minor unit (cents for EUR).
    public let minorUnits: Int64
    /// The currency the amount is in.
    public let currency: Currency

    /// An amount of `minorUnits` of `currency`.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Whether the amount is below zero.
    public var isNegative: Bool { minorUnits < 0 }

    /// The sum, or an error when currencies differ or the result overflows.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch(currency, other.currency) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        if overflow { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    /// The difference, or an error when currencies differ or the result overflows.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch(currency, other.currency) }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        if overflow { throw .overflow }
        return Money(minorUnits: difference, currency: currency)
    }

    /// floor(self × multiplier): what a stake pays when cashed out at `multiplier`.
    /// Exact for every stake and multiplier; throws only when the result does not fit in Int64.
    public func multiplied(by multiplier: Multiplier) throws(MoneyError) -> Money {
        precondition(minorUnits >= 0 && multiplier.hundredths >= 0, "payouts are computed on non-negative amounts")
        let product = UInt64(minorUnits).multipliedFullWidth(by: UInt64(multiplier.hundredths))
        guard product.high < 100 else { throw .overflow }
        let (quotient, _) = UInt64(100).dividingFullWidth(product)
        guard quotient <= UInt64(Int64.max) else { throw .overflow }
        return Money(minorUnits: Int64(quotient), currency: currency)
    }

    /// The amount in major units with the currency's decimals, e.g. `12.34 EUR`.
    public var description: String {
        "\(Money.formatDecimal(minorUnits, exponent: currency.exponent)) \(currency.code)"
    }

    /// `value` / 10^exponent written with exactly `exponent` decimals, without floating point.
    public static func formatDecimal(_ value: Int64, exponent: Int) -> String {
        let negative = value < 0
        let magnitude = value.magnitude
        guard exponent > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        var fraction = String(magnitude % scale)
        while fraction.count < exponent { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(magnitude / scale) + "." + fraction
    }
}

/// Why an arithmetic operation on money failed.
public enum MoneyError: Error, Equatable, Sendable {
    /// Two amounts of different currencies were combined.
    case currencyMismatch(Currency, Currency)
    /// The result does not fit in 64 bits of minor units.
    case overflow
}
