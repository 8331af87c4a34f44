import AscentCore
import Testing

@Suite struct MoneyTests {
    let eur = Currency(code: "EUR")!

    @Test func addingChecksCurrencyAndOverflow() throws {
        let a = Money(minorUnits: 150, currency: eur)
        #expect(try a.adding(Money(minorUnits: 50, currency: eur)).minorUnits == 200)
        #expect(throws: MoneyError.currencyMismatch(eur, Currency(code: "USD")!)) {
            try a.adding(Money(minorUnits: 1, currency: Currency(code: "USD")!))
        }
        #expect(throws: MoneyError.overflow) {
            try Money(minorUnits: .max, currency: eur).adding(Money(minorUnits: 1, currency: eur))
        }
        #expect(throws: MoneyError.overflow) {
            try Money(minorUnits: .min, currency: eur).subtracting(Money(minorUnits: 1, currency: eur))
        }
    }

    @Test func payoutIsFloorOfStakeTimesMultiplier() throws {
        let stake = Money(minorUnits: 333, currency: eur)
        #expect(try stake.multiplied(by: Multiplier(hundredths: 296)).minorUnits == 985)   // 985.68
        #expect(try stake.multiplied(by: .one).minorUnits == 333)
        let huge = Money(minorUnits: Int64.max / 2, currency: eur)
        #expect(try huge.multiplied(by: Multiplier(hundredths: 200)).minorUnits == Int64.max / 2 * 2)
        #expect(throws: MoneyError.overflow) { try huge.multiplied(by: Multiplier(hundredths: 300)) }
    }

    @Test func formatsWithTheCurrencyExponent() {
        #expect(Money(minorUnits: 1234, currency: eur).description == "12.34 EUR")
        #expect(Money(minorUnits: -5, currency: eur).description == "-0.05 EUR")
        #expect(Money(minorUnits: 1234, currency: Currency(code: "JPY")!).description == "1234 JPY")
        #expect(Money(minorUnits: 1, currency: Currency(code: "KWD")!).description == "0.001 KWD")
        #expect(Currency(code: "eur", exponent: 2) == nil)
        #expect(Currency(code: "XYZ") == nil)
    }
}
