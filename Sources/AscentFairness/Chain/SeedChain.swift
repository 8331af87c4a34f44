/// The operator's secret chain of round seeds, stored as checkpoints so any round's seed is a few
/// hashes away.
///
/// A random 32-byte terminal seed s_N is drawn once; then s_{i-1} = SHA-256(s_i) over the raw 32
/// bytes, down to s_0, the terminating hash, which is published before the first round. Round i
/// (1 ... N) plays with s_i; its commitment, shown before betting, is SHA-256(s_i) = s_{i-1}, which is
/// the previous round's seed (or s_0 for round 1), so every revealed seed proves the one before it,
/// and nobody can compute s_i from what has been revealed (that would invert SHA-256).
///
/// Only s_N, s_{N-k}, s_{N-2k}, ... are stored (k is the checkpoint interval). The seed of round i
/// is found by hashing forward from the nearest checkpoint at or above i (at most k - 1 hashes);
/// the whole segment computed on the way is kept, so walking rounds in order costs about one hash
/// per round. The value is SECRET: whoever holds it knows every future crash point.
public struct SeedChain: Sendable {
    /// How many rounds the chain serves (N).
    public let length: Int
    /// Every how many links a seed is stored (k).
    public let checkpointInterval: Int
    /// s_0: published before the first round; the commitment of round 1.
    public let terminatingHash: Bytes32
    /// checkpoints[j] = s_{N - j·k}, for every j with N - j·k >= 1.
    let checkpoints: [Bytes32]
    /// The round whose seed is segment[0]; 0 when nothing is cached.
    private var segmentTop = 0
    /// segment[m] = s_{segmentTop - m}, down to the next checkpoint's round + 1 (or round 1).
    private var segment: [Bytes32] = []

    /// The longest chain accepted: a billion rounds is decades of play, and bounds the file's size.
    public static let maximumLength = 1_000_000_000
    /// The checkpoint interval used when none is given: 32 KB of cache, 1,000 hashes at worst.
    public static let defaultCheckpointInterval = 1_000
    /// The largest checkpoint interval accepted (bounds the cached segment's memory).
    public static let maximumCheckpointInterval = 1_000_000

    init(length: Int, checkpointInterval: Int, terminatingHash: Bytes32, checkpoints: [Bytes32]) {
        self.length = length
        self.checkpointInterval = checkpointInterval
        self.terminatingHash = terminatingHash
        self.checkpoints = checkpoints
    }

    /// How many checkpoints a chain of `length` with `interval` stores: ceil(length / interval).
    static func checkpointCount(length: Int, interval: Int) -> Int { (length - 1) / interval + 1 }

    /// Builds the chain from `terminalSeed` (s_N, which the caller draws from a secure random
    /// source): `length` hashes. `length` must be 1 ... maximumLength and `checkpointInterval`
    /// 1 ... maximumCheckpointInterval.
    public static func generate(terminalSeed: Bytes32, length: Int,
                                checkpointInterval: Int = defaultCheckpointInterval) -> SeedChain {
        precondition((1...maximumLength).contains(length), "chain length out of range")
        precondition((1...maximumCheckpointInterval).contains(checkpointInterval), "checkpoint interval out of range")
        var checkpoints: [Bytes32] = []
        checkpoints.reserveCapacity(checkpointCount(length: length, interval: checkpointInterval))
        var seed = terminalSeed
        var sinceCheckpoint = 0
        for _ in 0..<length {
            if sinceCheckpoint == 0 { checkpoints.append(seed) }
            sinceCheckpoint = sinceCheckpoint + 1 == checkpointInterval ? 0 : sinceCheckpoint + 1
            seed = SHA256.hash(seed)
        }
        return SeedChain(length: length, checkpointInterval: checkpointInterval,
                         terminatingHash: seed, checkpoints: checkpoints)
    }

    /// The seed of `round` (1 ... length), revealed after that round crashes.
    public mutating func seed(forRound round: Int) -> Bytes32 {
        precondition((1...length).contains(round), "round \(round) is outside the chain 1...\(length)")
        let checkpointIndex = (length - round) / checkpointInterval
        let top = length - checkpointIndex * checkpointInterval
        if top != segmentTop {
            let bottom = max(top - checkpointInterval + 1, 1)
            segment.removeAll(keepingCapacity: true)
            segment.reserveCapacity(top - bottom + 1)
            var seed = checkpoints[checkpointIndex]
            segment.append(seed)
            for _ in bottom..<top {
                seed = SHA256.hash(seed)
                segment.append(seed)
            }
            segmentTop = top
        }
        return segment[top - round]
    }

    /// The commitment of `round`, shown before betting opens: SHA-256 of its seed, which is the
    /// previous round's seed (the terminating hash for round 1).
    public mutating func commitment(forRound round: Int) -> Bytes32 {
        round == 1 ? terminatingHash : seed(forRound: round - 1)
    }

    /// Whether `seed` is the preimage of `commitment`: what a player checks once a seed is revealed.
    public static func isLink(seed: Bytes32, provesCommitment commitment: Bytes32) -> Bool {
        SHA256.hash(seed) == commitment
    }

    /// Re-hashes the whole chain (`length` hashes) and reports whether every checkpoint leads to the
    /// next and the last to the terminating hash: a full audit of a stored chain.
    public func verifiesEveryLink() -> Bool {
        for (index, checkpoint) in checkpoints.enumerated() {
            let top = length - index * checkpointInterval
            let next = index + 1 < checkpoints.count ? checkpoints[index + 1] : terminatingHash
            let steps = index + 1 < checkpoints.count ? checkpointInterval : top
            var seed = checkpoint
            for _ in 0..<steps { seed = SHA256.hash(seed) }
            if seed != next { return false }
        }
        return true
    }
}
