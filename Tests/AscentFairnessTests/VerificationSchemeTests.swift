import AscentCore
import AscentFairness
import Testing

/// The published crash formulas, checked against published values and against their own
/// JavaScript run in Node (the values below were printed by a line-for-line transcription of each
/// operator's verifier into Node 18; bustabit v1's chain is the one its source publishes).
@Suite struct VerificationSchemeTests {
    /// Walks `count` games back from `start` and returns "hash crash" lines, as `ascent verify` prints.
    func walk(_ scheme: VerificationScheme, from start: String, count: Int) -> [String] {
        let verifier = CrashVerifier(scheme: scheme, salt: scheme.defaultSalt!)
        var hash = Bytes32(hex: start)!
        var lines: [String] = []
        for _ in 0..<count {
            lines.append("\(hash.hex) \(verifier.crash(gameHash: hash))")
            hash = verifier.previousGameHash(of: hash)
        }
        return lines
    }

    @Test func bustabitV1DevelopmentChain() {
        // bustabit v1-gameserver's development chain: 2.96x, then 2.15x, 3.84x, 1.02x, 1.24x, 1.37x.
        #expect(walk(.bustabitV1, from: "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d", count: 6) == [
            "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d 2.96x",
            "646007a6415b21cbc5690668b6a70ddaafa635488fec144cebb23a47722bf311 2.15x",
            "c0e4a0635a3689875c9a54757060ef9c0369d237a0705d1471c3515254f545b4 3.84x",
            "b7977ba75a1f94b64fbfb4f54d13d4ad5b3051208f89b1de3eabe05ce855a478 1.02x",
            "913e2cfc196c3923b3c11311e76d5fb1e9ae0a47e655acc975db7921a8f78f07 1.24x",
            "c4acea75b707227d87a6214ecb96a79072b84f8aac1659580b0acbff3cfb7517 1.37x",
        ])
    }

    @Test func bustabitV2MatchesItsJavaScript() {
        #expect(walk(.bustabitV2, from: "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d", count: 6) == [
            "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d 2.24x",
            "646007a6415b21cbc5690668b6a70ddaafa635488fec144cebb23a47722bf311 1.35x",
            "c0e4a0635a3689875c9a54757060ef9c0369d237a0705d1471c3515254f545b4 1.02x",
            "b7977ba75a1f94b64fbfb4f54d13d4ad5b3051208f89b1de3eabe05ce855a478 1.73x",
            "913e2cfc196c3923b3c11311e76d5fb1e9ae0a47e655acc975db7921a8f78f07 2.01x",
            "c4acea75b707227d87a6214ecb96a79072b84f8aac1659580b0acbff3cfb7517 1.49x",
        ])
        #expect(walk(.bustabitV2, from: String(repeating: "0", count: 64), count: 3) == [
            "0000000000000000000000000000000000000000000000000000000000000000 1.51x",
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55 15.32x",
            "632500b1742987815bf1e7ebc49d1da6ed2dd9659623bef3f9b96bf5e75ab702 6.19x",
        ])
    }

    @Test func bustabitCurrentChainMatchesItsJavaScript() {
        // 70eed5c2… is the example hash in bustabit's 2025 seeding announcement.
        #expect(walk(.bustabit, from: "70eed5c29bde5132f4e41ec8b117a31533e5b055c6c21174d932b377a1855a04", count: 6) == [
            "70eed5c29bde5132f4e41ec8b117a31533e5b055c6c21174d932b377a1855a04 1.13x",
            "2b8a10ca665f63ee941ed127ac8358619f063b94e9c43eb0dfed8d018acc2b3f 3.04x",
            "093d7b9a9776dce319413ce12fc97fc3e139366d7fb017e949a7a3ebe444c170 2.71x",
            "72417efa9684be1f6393fba23a0a6a7a867a35f00689413367f88d84807dfca9 1.01x",
            "d594c7ce95ae34c3a04f79f5d2361c9a57f0ea082a426e05d5f478ebfbac667a 6.88x",
            "effadd08d85cfc42752b462d1a8c8ead7f40bf743275804e54b23ac2afecba76 4.25x",
        ])
    }

    @Test func bcgameMatchesItsJavaScript() {
        #expect(walk(.bcgame, from: "aab133c16cc62f1ae25017d4c7793d1c1111c08437a83323986723eeaafdc7dc", count: 6) == [
            "aab133c16cc62f1ae25017d4c7793d1c1111c08437a83323986723eeaafdc7dc 2.85x",
            "657dc9281adf130ab67ee6b2ca9d4f1301aefafe33d01a000eb14b53c6b06b24 1.50x",
            "7679b1585f928f790414279a698678ff43d7b72c60a10700c575e26053cc68ac 1.32x",
            "03c0a5a6bef695b46064c80f5a98370da38836577706cfd4c5782ff28cdbdc2b 2.14x",
            "94265d10f8e7a4d1c67a1a2f3663d3736deefca3a14d075a93c01d8ba373677d 1.64x",
            "d9a61ead53cca4f4cda18a937af16e991cba2c7f39426c045a76802e952d471d 1.36x",
        ])
        #expect(walk(.bcgame, from: String(repeating: "0", count: 64), count: 3) == [
            "0000000000000000000000000000000000000000000000000000000000000000 2.04x",
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55 1.42x",
            "632500b1742987815bf1e7ebc49d1da6ed2dd9659623bef3f9b96bf5e75ab702 1.02x",
        ])
    }

    @Test(arguments: [
        // (r, Node's parseFloat((r / 2**52).toPrecision(9))): tiny values, values that round to 1,
        // exact halves, and pseudo-random ones.
        (1, 2.22044605e-16), (2, 4.4408921e-16), (3, 6.66133815e-16), (7, 1.55431223e-15),
        (1000, 2.22044605e-13), (123456789, 2.74129139e-8),
        (4503599627370495, 1), (4503599627370494, 1), (4503599625119000, 1), (4503599625118696, 0.999999999),
        (2251799813685248, 0.5), (450359962737049, 0.1), (450359962737050, 0.1), (45035996273704, 0.01),
        (461794883665920, 0.102539063),  // 105/1024 = 0.1025390625: a tie, which JavaScript rounds up
        (493498169084052, 0.109578606), (1195189119804733, 0.265385296), (3988495883372136, 0.885623993),
        (3763826686813441, 0.83573741), (1466511928217093, 0.325631062), (2524142528716958, 0.560472231),
        (3575265588774805, 0.793868435), (1763131669866547, 0.391493875), (3671241447466399, 0.815179357),
        (847435747631784, 0.188168536), (4458541711176183, 0.989995133), (4427295610692155, 0.983057105),
    ] as [(UInt64, Double)])
    func nineSignificantDigitsMatchJavaScript(r: UInt64, expected: Double) {
        #expect(CrashVerifier.roundedToNineSignificantDigits(r) == expected, "r = \(r)")
    }

    @Test func defaultsAndChainRules() {
        #expect(VerificationScheme.ascent.defaultSalt == nil)
        #expect(VerificationScheme(rawValue: "bustabit-v1") == .bustabitV1)
        let hash = Bytes32(hex: String(repeating: "ab", count: 32))!
        #expect(VerificationScheme.bustabit.previousGameHash(of: hash) == SHA256.hash(hash))
        #expect(VerificationScheme.ascent.previousGameHash(of: hash) == SHA256.hash(hash))
        for scheme in [VerificationScheme.bustabitV1, .bustabitV2, .bcgame] {
            #expect(scheme.previousGameHash(of: hash) == SHA256.hash(utf8: hash.hex))
        }
    }

    @Test func bustabitV1InstantBustIsPrintedAsZero() {
        // Search the v1 chain for a game whose HMAC is divisible by 101 (about 1 in 101).
        let verifier = CrashVerifier(scheme: .bustabitV1, salt: VerificationScheme.bustabitV1.defaultSalt!)
        var hash = Bytes32(hex: "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d")!
        var busts = 0
        for _ in 0..<2_000 {
            if verifier.crash(gameHash: hash) == .multiplier(Multiplier(hundredths: 0)) {
                busts += 1
                #expect(verifier.crash(gameHash: hash).description == "0.00x")
            }
            hash = verifier.previousGameHash(of: hash)
        }
        // 2,000 games: about 19.8 busts expected; 5 to 45 is over 4 standard deviations either side.
        #expect((5...45).contains(busts), "busts \(busts) in 2000 games")
    }

    @Test func v2AndBCGameMappingsAtTheirEdges() {
        let top: UInt64 = (1 << 52) - 1
        #expect(CrashVerifier.bustabitV2Crash(leading52Bits: 0) == .multiplier(.one))        // floor(99) → max(1, 0.99)
        #expect(CrashVerifier.bustabitV2Crash(leading52Bits: top) == .multiplier(Multiplier(hundredths: 99 << 52)))
        #expect(CrashVerifier.bustabitV2Crash(leading52Bits: 1 << 51) == .multiplier(Multiplier(hundredths: 198)))
        #expect(CrashVerifier.bcgameCrash(leading52Bits: 0) == .multiplier(.one))
        // X rounds to 1.00000000: the JavaScript divides by zero and shows Infinity.
        #expect(CrashVerifier.bcgameCrash(leading52Bits: top) == .infinite)
        #expect(CrashVerifier.bcgameCrash(leading52Bits: top).description == "Infinity")
        // X = 0.999999999: Node prints 990000027.99 (the double 1 - 0.999999999 is not 1e-9).
        #expect(CrashVerifier.bcgameCrash(leading52Bits: 4_503_599_625_118_696)
                == .multiplier(Multiplier(hundredths: 99_000_002_799)))
    }

    @Test func ascentSchemeThroughTheVerifierEqualsTheFormula() {
        let verifier = CrashVerifier(scheme: .ascent, salt: "salt", houseEdgeBasisPoints: 250)
        let scheme = AscentCrashScheme(salt: "salt", houseEdgeBasisPoints: 250)
        var seed = SHA256.hash(utf8: "verifier")
        for _ in 0..<1_000 {
            #expect(verifier.crash(gameHash: seed) == .multiplier(scheme.crashPoint(seed: seed)))
            let previous = verifier.previousGameHash(of: seed)
            #expect(SeedChain.isLink(seed: seed, provesCommitment: previous))
            seed = previous
        }
    }
}
