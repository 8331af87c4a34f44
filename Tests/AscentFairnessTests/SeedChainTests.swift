import AscentFairness
import Testing

/// The seed chain: every revealed seed proves the previous commitment, checkpoint lookups equal
/// brute force, and the file round-trips and refuses damage.
@Suite struct SeedChainTests {
    let terminal = SHA256.hash(utf8: "ascent seed chain test terminal seed")

    /// Every seed s_N ... s_0 by brute force: all[i] = s_i.
    func bruteForce(length: Int) -> [Bytes32] {
        var seeds = [Bytes32](repeating: .zero, count: length + 1)
        var seed = terminal
        for index in stride(from: length, through: 0, by: -1) {
            seeds[index] = seed
            seed = SHA256.hash(seed)
        }
        return seeds
    }

    @Test(arguments: [(1, 1), (1, 1000), (7, 1), (250, 100), (250, 250), (250, 251), (1000, 7), (2500, 1000)])
    func walkingInOrderProvesEveryCommitment(length: Int, interval: Int) {
        let expected = bruteForce(length: length)
        var chain = SeedChain.generate(terminalSeed: terminal, length: length, checkpointInterval: interval)
        #expect(chain.terminatingHash == expected[0])
        #expect(chain.commitment(forRound: 1) == chain.terminatingHash)
        for round in 1...length {
            let seed = chain.seed(forRound: round)
            #expect(seed == expected[round], "length \(length), interval \(interval), round \(round)")
            #expect(SeedChain.isLink(seed: seed, provesCommitment: chain.commitment(forRound: round)))
        }
        #expect(chain.seed(forRound: length) == terminal)
        #expect(chain.verifiesEveryLink())
    }

    @Test func randomLookupsEqualBruteForce() {
        let seed: UInt64 = 0xc4a1_0001
        var generator = SplitMix64(seed: seed)
        let length = 5_003
        let expected = bruteForce(length: length)
        var chain = SeedChain.generate(terminalSeed: terminal, length: length, checkpointInterval: 97)
        for _ in 0..<2_000 {
            let round = Int.random(in: 1...length, using: &generator)
            #expect(chain.seed(forRound: round) == expected[round], "seed \(seed), round \(round)")
        }
    }

    @Test func aSeedDoesNotProveAnotherRoundsCommitment() {
        var chain = SeedChain.generate(terminalSeed: terminal, length: 10, checkpointInterval: 3)
        #expect(!SeedChain.isLink(seed: chain.seed(forRound: 5), provesCommitment: chain.commitment(forRound: 4)))
        #expect(!SeedChain.isLink(seed: chain.seed(forRound: 5), provesCommitment: chain.commitment(forRound: 6)))
    }

    @Test func fileRoundTrips() throws {
        var chain = SeedChain.generate(terminalSeed: terminal, length: 2_345, checkpointInterval: 100)
        let bytes = chain.encoded()
        #expect(bytes.count == 68 + 32 * 24 + 32)
        #expect(Array(bytes.prefix(8)) == Array("ASCNSEED".utf8))
        var decoded = try SeedChain(decoding: bytes)
        #expect(decoded.length == 2_345)
        #expect(decoded.checkpointInterval == 100)
        #expect(decoded.terminatingHash == chain.terminatingHash)
        #expect(decoded.encoded() == bytes)
        for round in [1, 2, 99, 100, 101, 1_234, 2_345] {
            #expect(decoded.seed(forRound: round) == chain.seed(forRound: round))
        }
    }

    @Test func damagedFilesAreRefused() {
        let bytes = SeedChain.generate(terminalSeed: terminal, length: 300, checkpointInterval: 100).encoded()
        // Flipping any single byte is caught (magic, version, sizes, checkpoints, checksum).
        for offset in [0, 8, 11, 12, 19, 20, 27, 28, 59, 60, 67, 68, 100, 131, bytes.count - 33, bytes.count - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x01
            #expect(throws: SeedChainError.self, "offset \(offset)") { try SeedChain(decoding: damaged) }
        }
        #expect(throws: SeedChainError.truncated(byteCount: 10)) { try SeedChain(decoding: Array(bytes.prefix(10))) }
        #expect(throws: SeedChainError.self) { try SeedChain(decoding: Array(bytes.dropLast())) }
        #expect(throws: SeedChainError.self) { try SeedChain(decoding: bytes + [0]) }
    }

    @Test func aWellFormedFileWithAForeignCheckpointIsRefused() {
        var bytes = SeedChain.generate(terminalSeed: terminal, length: 300, checkpointInterval: 100).encoded()
        // Replace the last checkpoint (round 100) and fix up the checksum: only the link check can tell.
        let lastCheckpoint = 68 + 32 * 2
        for index in 0..<32 { bytes[lastCheckpoint + index] = 0x42 }
        let body = Array(bytes.dropLast(32))
        bytes = body + SHA256.hash(body).bytes
        #expect(throws: SeedChainError.brokenChain) { try SeedChain(decoding: bytes) }
    }
}
