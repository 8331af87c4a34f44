/// Why a chain file was refused.
public enum SeedChainError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Shorter than the smallest possible file.
    case truncated(byteCount: Int)
    /// The magic bytes are not "ASCNSEED".
    case notAChainFile
    /// A version this code does not read.
    case unsupportedVersion(UInt16)
    /// Length, interval or checkpoint count out of range or inconsistent.
    case invalidParameters(length: UInt64, interval: UInt64)
    /// The size does not match the checkpoint count.
    case wrongSize(expected: Int, actual: Int)
    /// The trailing SHA-256 does not match the contents: the file is damaged.
    case checksumMismatch
    /// The checkpoints do not hash down to the terminating hash.
    case brokenChain

    public var description: String {
        switch self {
        case .truncated(let count): "the chain file is truncated (\(count) bytes)"
        case .notAChainFile: "not an Ascent seed chain file (bad magic)"
        case .unsupportedVersion(let version): "unsupported chain file version \(version)"
        case .invalidParameters(let length, let interval):
            "the chain file has an invalid length \(length) or checkpoint interval \(interval)"
        case .wrongSize(let expected, let actual): "the chain file has \(actual) bytes where \(expected) were expected"
        case .checksumMismatch: "the chain file is damaged (checksum mismatch)"
        case .brokenChain: "the chain file's checkpoints do not lead to its terminating hash"
        }
    }
}
