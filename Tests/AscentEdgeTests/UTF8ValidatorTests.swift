import AscentEdge
import Testing

@Suite struct UTF8ValidatorTests {
    /// Random byte strings (biased towards UTF-8-looking bytes), fed in random pieces, must be
    /// judged exactly as the standard library's validating decoder judges them.
    @Test func agreesWithTheStandardLibraryInAnySplit() {
        var state: UInt64 = 0xA5CE_2026
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                    0xF0, 0xF1, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90]
        let seed = state
        for round in 0..<20_000 {
            let length = Int(next() % 24)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                bytes.append(next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : interesting[Int(next() % UInt64(interesting.count))])
            }
            if round % 5 == 0, let sample = "a€𝄞ö".utf8.randomElementSeeded(next()) { bytes.append(sample) }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            var validator = UTF8Validator()
            var valid = true
            var index = 0
            while index < bytes.count && valid {
                let piece = min(bytes.count - index, Int(next() % 5))
                valid = validator.feed(Array(bytes[index..<(index + piece)]))
                index += piece
            }
            let actual = valid && validator.isComplete
            #expect(actual == expected, "seed \(seed) round \(round) bytes \(bytes)")
        }
    }

    @Test func longASCIIAndMultibyteTextIsValid() {
        var validator = UTF8Validator()
        let text = String(repeating: "plain ascii 0123456789 ", count: 100) + "€ 𝄞 ü" + String(repeating: "x", count: 33)
        let valid = validator.feed(Array(text.utf8))
        #expect(valid)
        #expect(validator.isComplete)
    }
}

extension String.UTF8View {
    fileprivate func randomElementSeeded(_ value: UInt64) -> UInt8? {
        guard !isEmpty else { return nil }
        return self[index(startIndex, offsetBy: Int(value % UInt64(count)))]
    }
}
