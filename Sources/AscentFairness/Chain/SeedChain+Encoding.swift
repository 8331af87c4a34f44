/// The chain file: a compact binary form of a `SeedChain`, with a checksum so a damaged file is
/// refused rather than silently serving wrong seeds.
///
/// Layout (all integers big-endian):
///
///     offset  size  field
///          0     8  magic "ASCNSEED"
///          8     2  version (1)
///         10     2  reserved, zero
///         12     8  length N (1 ... 1,000,000,000)
///         20     8  checkpoint interval k (1 ... 1,000,000)
///         28    32  terminating hash s_0
///         60     8  checkpoint count C = ceil(N / k)
///         68  32·C  checkpoints s_N, s_{N-k}, ..., s_{N-(C-1)k}
///   68 + 32·C   32  SHA-256 of every byte before it
///
/// The file holds future seeds and is secret; the CLI writes it with mode 0600.
extension SeedChain {
    /// The file's first eight bytes.
    public static let magic: [UInt8] = Array("ASCNSEED".utf8)
    /// The only version this code writes and reads.
    public static let formatVersion: UInt16 = 1

    /// The chain in the file format described above.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(68 + 32 * checkpoints.count + 32)
        bytes += Self.magic
        append(UInt64(Self.formatVersion) << 16, byteCount: 4, to: &bytes)
        append(UInt64(length), byteCount: 8, to: &bytes)
        append(UInt64(checkpointInterval), byteCount: 8, to: &bytes)
        bytes += terminatingHash.bytes
        append(UInt64(checkpoints.count), byteCount: 8, to: &bytes)
        for checkpoint in checkpoints { bytes += checkpoint.bytes }
        bytes += SHA256.hash(bytes).bytes
        return bytes
    }

    /// Reads a chain file, checking its magic, version, sizes, checksum, and that the last
    /// checkpoint hashes down to the terminating hash (at most k hashes).
    public init(decoding bytes: [UInt8]) throws(SeedChainError) {
        guard bytes.count >= 68 + 32 else { throw .truncated(byteCount: bytes.count) }
        guard Array(bytes[0..<8]) == Self.magic else { throw .notAChainFile }
        let version = UInt16(read(bytes, at: 8, byteCount: 2))
        guard version == Self.formatVersion, read(bytes, at: 10, byteCount: 2) == 0 else {
            throw .unsupportedVersion(version)
        }
        let length = read(bytes, at: 12, byteCount: 8)
        let interval = read(bytes, at: 20, byteCount: 8)
        guard (1...UInt64(Self.maximumLength)).contains(length),
              (1...UInt64(Self.maximumCheckpointInterval)).contains(interval) else {
            throw .invalidParameters(length: length, interval: interval)
        }
        let count = Self.checkpointCount(length: Int(length), interval: Int(interval))
        guard read(bytes, at: 60, byteCount: 8) == UInt64(count) else {
            throw .invalidParameters(length: length, interval: interval)
        }
        let expectedSize = 68 + 32 * count + 32
        guard bytes.count == expectedSize else { throw .wrongSize(expected: expectedSize, actual: bytes.count) }
        let checksum = bytes.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[0..<expectedSize - 32])) }
        guard checksum == Bytes32(bytes[(expectedSize - 32)...]) else { throw .checksumMismatch }
        let terminatingHash = Bytes32(bytes[28..<60])!
        let checkpoints = (0..<count).map { Bytes32(bytes[(68 + 32 * $0)..<(100 + 32 * $0)])! }
        self.init(length: Int(length), checkpointInterval: Int(interval),
                  terminatingHash: terminatingHash, checkpoints: checkpoints)
        // The lowest checkpoint is round N - (C-1)·k; hashing it that many times must give s_0.
        var seed = checkpoints[count - 1]
        for _ in 0..<(Int(length) - (count - 1) * Int(interval)) { seed = SHA256.hash(seed) }
        guard seed == terminatingHash else { throw .brokenChain }
    }
}

private func append(_ value: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
    for index in (0..<byteCount).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
}

private func read(_ bytes: [UInt8], at offset: Int, byteCount: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in offset..<offset + byteCount { value = value << 8 | UInt64(bytes[index]) }
    return value
}
