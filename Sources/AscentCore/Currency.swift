/// An ISO 4217 currency: its alphabetic code and the number of decimal places of its minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The three-letter ISO 4217 code, upper case (`"EUR"`).
    public let code: String
    /// Decimal places between the major and the minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    public let exponent: Int

    /// A currency with an explicit exponent; the code must be three upper-case ASCII letters.
    public init?(code: String, exponent: Int) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }),
              (0...8).contains(exponent) else { return nil }
        self.code = code
        self.exponent = exponent
    }

    /// A currency from the built-in ISO 4217 table (plus a few crypto units common in crash games).
    public init?(code: String) {
        guard let exponent = Currency.knownExponents[code] else { return nil }
        self.init(code: code, exponent: exponent)
    }

    public var description: String { code }

    /// Minor units in one major unit (100 for EUR).
    public var minorUnitsPerMajor: Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// Exponents of the currencies Ascent knows by code. Operators can add others with
    /// `init(code:exponent:)` through table configuration.
    public static let knownExponents: [String: Int] = [
        "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2, "NOK": 2,
        "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "BGN": 2, "TRY": 2, "BRL": 2, "MXN": 2,
        "ARS": 2, "INR": 2, "ZAR": 2, "NGN": 2, "KES": 2, "GHS": 2, "PHP": 2, "THB": 2, "MYR": 2,
        "CNY": 2, "HKD": 2, "SGD": 2, "TWD": 2, "UAH": 2, "KZT": 2, "UZS": 2, "AZN": 2, "GEL": 2,
        "PEN": 2, "COP": 2, "BDT": 2, "PKR": 2, "EGP": 2, "MAD": 2, "ILS": 2, "AED": 2, "SAR": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0, "PYG": 0,
        "IDR": 2, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
        // Not ISO 4217 but widely used by crash-game operators; units chosen as 10^-8 of a coin.
        "BTC": 8, "ETH": 8, "LTC": 8, "XBT": 8,
    ]
}
