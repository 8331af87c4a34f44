import AscentCore
import AscentFairness
import Testing

/// Ascent's formula: exact edge cases, the ceiling's defining property, and statistics over a
/// million rounds (instant-crash rate and the return to player of fixed auto cash-out targets).
@Suite struct AscentCrashSchemeTests {
    let twoTo52: UInt64 = 1 << 52

    @Test func edgeCases() {
        func crash(_ r: UInt64, _ edge: Int64 = 100) -> Int64 {
            AscentCrashScheme.crashPoint(leading52Bits: r, houseEdgeBasisPoints: edge).hundredths
        }
        #expect(crash(0) == 100)                     // Y = 0.99: clamped to 1.00x
        #expect(crash(0, 0) == 100)                  // Y = 1 exactly
        #expect(crash(twoTo52 - 1) == 99 << 52)      // 9900·2^52 / 100: exact, no rounding
        #expect(crash(twoTo52 - 1, 0) == 100 << 52)
        #expect(crash(twoTo52 / 2) == 198)           // X = 1/2: Y = 1.98 exactly
        // Y = 2 sits between r = 0.505·2^52 rounded down and up: 2.00x then 2.01x.
        #expect(crash(2_274_317_811_822_100) == 200)
        #expect(crash(2_274_317_811_822_101) == 201)
        // 1 − X = 0.99 gives Y = 1 exactly (edge 1%): 1.00x, and a hair more gives 1.01x.
        #expect(crash(twoTo52 / 100) == 100)          // 2^52/100 rounds down, so Y is a hair under 1
        #expect(crash(twoTo52 / 100 + 1) == 101)
    }

    @Test func ceilingIsExactForRandomInputs() {
        let seed: UInt64 = 0xce11_0001
        var generator = SplitMix64(seed: seed)
        for _ in 0..<100_000 {
            let r = generator.next() >> 12
            let edge = Int64.random(in: 0..<10_000, using: &generator)
            let crash = AscentCrashScheme.crashPoint(leading52Bits: r, houseEdgeBasisPoints: edge).hundredths
            let numerator = UInt128(10_000 - edge) << 52
            let denominator = 100 * UInt128(twoTo52 - r)
            // C > m ⟺ Y > m (m in hundredths: 100·Y > m ⟺ numerator > m·denominator), for m near C.
            for m in [crash - 1, crash, crash + 1] where m >= 100 {
                #expect((crash > m) == (numerator > UInt128(m) * denominator), "seed \(seed), r \(r), edge \(edge), m \(m)")
            }
        }
    }

    @Test func roundSecretCarriesTheSeedAndItsCrashPoint() {
        let seed = SHA256.hash(utf8: "a seed")
        let secret = roundSecret(seed: seed, salt: "salt", houseEdgeBasisPoints: 100)
        #expect(secret.seed == seed.hex)
        #expect(secret.crashPoint == AscentCrashScheme(salt: "salt").crashPoint(seed: seed))
        let code = HMACSHA256(utf8Key: "salt").authenticationCode(for: seed)
        #expect(secret.crashPoint == AscentCrashScheme.crashPoint(leading52Bits: code.leading52Bits, houseEdgeBasisPoints: 100))
    }

    /// One million rounds, seeds walked along a SHA-256 chain (exactly how a table's seeds relate),
    /// checked for two house edges. Each statistic must lie within z = 5 standard errors of its
    /// analytic value: for a correct formula, the chance that any one of these 8 checks fails is
    /// about 8 × 5.7e-7. The seeds are fixed, so the outcome is reproducible.
    @Test func instantCrashRateAndReturnToPlayerOverAMillionRounds() {
        let rounds = 1_000_000
        let salt = "ascent statistical test salt"
        let start = SHA256.hash(utf8: "ascent statistical test chain")
        let edges: [Int64] = [100, 500]
        let targets: [Int64] = [150, 200, 1_000]
        let mac = HMACSHA256(utf8Key: salt)
        var instant = [Int](repeating: 0, count: edges.count)
        var wins = [[Int]](repeating: [Int](repeating: 0, count: targets.count), count: edges.count)
        var seed = start
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                seed = SHA256.hash(seed)
                let r = mac.authenticationCode(for: seed).leading52Bits
                for (e, edge) in edges.enumerated() {
                    let crash = AscentCrashScheme.crashPoint(leading52Bits: r, houseEdgeBasisPoints: edge).hundredths
                    if crash == 100 { instant[e] += 1 }
                    // An auto cash-out at t wins only when t is strictly below the crash point.
                    for (t, target) in targets.enumerated() where target < crash { wins[e][t] += 1 }
                }
            }
        }
        print("fairness statistics: \(rounds) rounds (hash + HMAC + \(edges.count) crash points) in \(elapsed)")
        let z = 5.0
        let n = Double(rounds)
        for (e, edge) in edges.enumerated() {
            let houseEdge = Double(edge) / 10_000
            let context = "start \(start.hex), salt '\(salt)', edge \(edge) bp, \(rounds) rounds"
            let instantRate = Double(instant[e]) / n
            let instantTolerance = z * (houseEdge * (1 - houseEdge)).squareRoot() / n.squareRoot()
            #expect(abs(instantRate - houseEdge) <= instantTolerance,
                    "instant-crash rate \(instantRate) vs \(houseEdge) ± \(instantTolerance); \(context)")
            for (t, target) in targets.enumerated() {
                let m = Double(target) / 100
                let p = (1 - houseEdge) / m
                let sigma = m * (p * (1 - p)).squareRoot()  // per-round payout's standard deviation
                let rtp = Double(wins[e][t]) * m / n
                let tolerance = z * sigma / n.squareRoot()
                #expect(abs(rtp - (1 - houseEdge)) <= tolerance,
                        "RTP at \(m)x: \(rtp) vs \(1 - houseEdge) ± \(tolerance); \(context)")
            }
        }
    }
}
