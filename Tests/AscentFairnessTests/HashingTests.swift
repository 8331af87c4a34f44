import AscentCrypto
import AscentFairness
import Testing

/// SHA-256 and HMAC-SHA256 against the standards' vectors and against OpenSSL on random inputs.
@Suite struct HashingTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func sha256MatchesFIPS180Vectors(message: String, expected: String) {
        #expect(SHA256.hash(utf8: message).hex == expected)
    }

    @Test func sha256OfAMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [
        // RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (5 tests truncation, which we do not offer).
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ] as [([UInt8], [UInt8], String)])
    func hmacMatchesRFC4231Vectors(key: [UInt8], message: [UInt8], expected: String) {
        #expect(HMACSHA256(key: key).authenticationCode(for: message).hex == expected)
    }

    @Test func sha256AgreesWithOpenSSLForEveryLengthUpTo300() throws {
        let seed: UInt64 = 0x5eed_0001
        var generator = SplitMix64(seed: seed)
        let openSSL = try OpenSSLSHA256()
        for length in 0...300 {
            for _ in 0..<4 {
                let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                let expected = try openSSL.hash(message)
                #expect(SHA256.hash(message).bytes == expected, "seed \(seed), length \(length), message \(Hex.encode(message))")
            }
        }
    }

    @Test func hmacAgreesWithOpenSSLForManyKeyAndMessageLengths() throws {
        let seed: UInt64 = 0x5eed_0002
        var generator = SplitMix64(seed: seed)
        for keyLength in [0, 1, 13, 32, 63, 64, 65, 100, 150] {
            let key = (0..<keyLength).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let ours = HMACSHA256(key: key)
            let theirs = try OpenSSLHMACSHA256(key: key)
            for length in 0...300 {
                let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                let expected = try theirs.authenticationCode(for: message)
                #expect(ours.authenticationCode(for: message).bytes == expected,
                        "seed \(seed), key \(Hex.encode(key)), message \(Hex.encode(message))")
            }
        }
    }

    @Test func hexRoundTripsAndRejectsNonsense() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff]
        #expect(Hex.encode(bytes) == "00017f80feff")
        #expect(Hex.decode("00017F80FEff") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0x00") == nil)
        #expect(Hex.decode("") == [])
        #expect(Bytes32(hex: String(repeating: "ab", count: 31)) == nil)
        #expect(Bytes32(hex: String(repeating: "ab", count: 32))?.bytes == [UInt8](repeating: 0xab, count: 32))
    }

    /// Times the pure Swift code against OpenSSL on the two hot paths (chain links and HMACs of
    /// seeds), checking they agree while doing so. The numbers are printed, not asserted: the
    /// machine is shared and noisy. OpenSSL pays for its EVP calls per message, not per block.
    @Test func speedAgainstOpenSSL() throws {
        let count = 200_000
        let salt = Array("0000000000000000000301e2801a9a9598bfb114e574a91a887f2132f33047e6".utf8)
        let clock = ContinuousClock()

        var pure = SHA256.hash(utf8: "speed")
        let pureChain = clock.measure { for _ in 0..<count { pure = SHA256.hash(pure) } }
        let openSSLHash = try OpenSSLSHA256()
        var theirs = SHA256.hash(utf8: "speed").bytes
        let openSSLChain = try clock.measure { for _ in 0..<count { theirs = try openSSLHash.hash(theirs) } }
        #expect(pure.bytes == theirs)

        let pureHMAC = HMACSHA256(key: salt)
        var sink: UInt64 = 0
        let pureMAC = clock.measure {
            for _ in 0..<count {
                sink &+= pureHMAC.authenticationCode(for: pure).leading52Bits
            }
        }
        let openSSLHMAC = try OpenSSLHMACSHA256(key: salt)
        var theirSink: UInt64 = 0
        let openSSLMAC = try clock.measure {
            for _ in 0..<count { theirSink &+= Bytes32(try openSSLHMAC.authenticationCode(for: theirs))!.leading52Bits }
        }
        #expect(sink == theirSink)
        print("fairness speed: \(count) chain links: pure Swift \(pureChain), OpenSSL \(openSSLChain); "
              + "\(count) HMACs of a seed: pure Swift \(pureMAC), OpenSSL \(openSSLMAC)")
    }
}

/// A tiny seeded generator (SplitMix64) so random tests reproduce from the seed in their messages.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
