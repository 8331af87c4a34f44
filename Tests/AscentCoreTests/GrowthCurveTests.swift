import AscentCore
import Foundation
import Testing

@Suite struct GrowthCurveTests {
    let curve = GrowthCurve.standard

    @Test func startsAtOneAndDoublesAfterAbout11550Milliseconds() {
        #expect(curve.multiplier(atElapsedMilliseconds: 0) == .one)
        #expect(curve.multiplier(atElapsedMilliseconds: -5) == .one)
        let doubling = curve.firstElapsedMilliseconds(reaching: Multiplier(hundredths: 200))
        #expect((11_551...11_554).contains(doubling), "ln 2 / 0.00006 = 11552.45 ms; got \(doubling)")
    }

    @Test func theInverseIsExactAtEveryHundredthUpTo1000x() {
        var previous: Int64 = 0
        for hundredths in Int64(101)...100_000 {
            let target = Multiplier(hundredths: hundredths)
            let t = curve.firstElapsedMilliseconds(reaching: target)
            #expect(curve.multiplier(atElapsedMilliseconds: t) >= target, "m(\(t)) below \(target)")
            #expect(curve.multiplier(atElapsedMilliseconds: t - 1) < target, "m(\(t - 1)) already at \(target)")
            #expect(t >= previous, "inverse not monotone at \(target)")
            previous = t
        }
    }

    @Test func theInverseIsExactForHugeMultipliersAndOtherRates() {
        for rate in [0.00006, 0.0001, 0.00003] {
            let curve = GrowthCurve(ratePerMillisecond: rate)
            for hundredths: Int64 in [1_000_000, 123_456_789, 100_000_000_000, 450_359_962_737_049_600] {
                let target = Multiplier(hundredths: hundredths)
                let t = curve.firstElapsedMilliseconds(reaching: target)
                #expect(curve.multiplier(atElapsedMilliseconds: t) >= target)
                #expect(curve.multiplier(atElapsedMilliseconds: t - 1) < target)
            }
        }
    }

    @Test func theReproducibleExponentialMatchesTheSystemOneWithinAnUlpOrTwo() {
        var x = 0.0
        while x < 40 {
            let ours = GrowthCurve.exponential(x)
            let system = Foundation.exp(x)
            #expect(abs(ours - system) <= 2 * system.ulp, "exp(\(x)): \(ours) vs \(system)")
            x += 0.000_731
        }
    }

    @Test func isMonotoneMillisecondByMillisecond() {
        var previous = Multiplier.one
        for t in Int64(0)...120_000 {
            let m = curve.multiplier(atElapsedMilliseconds: t)
            #expect(m >= previous)
            previous = m
        }
    }
}
