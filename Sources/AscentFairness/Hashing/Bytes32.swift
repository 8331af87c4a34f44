/// Thirty-two raw bytes held inline (no heap): a SHA-256 digest, an HMAC, or a seed of the chain.
///
/// The four words are stored so that their memory is exactly the 32 bytes in order, which lets a
/// seed be hashed again without copying it anywhere.
public struct Bytes32: Hashable, Sendable, CustomStringConvertible {
    /// The bytes, eight per word, in memory order (not numeric order).
    @usableFromInline var storage: (UInt64, UInt64, UInt64, UInt64)

    /// All zeros.
    public static let zero = Bytes32(storage: (0, 0, 0, 0))

    init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// The 32 bytes of `bytes`, or nil when it does not hold exactly 32.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var value = Bytes32.zero
        withUnsafeMutableBytes(of: &value.storage) { target in
            for (index, byte) in bytes.enumerated() { target[index] = byte }
        }
        self = value
    }

    /// Parses 64 hex digits (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes)
    }

    /// Lends the 32 bytes, in order, for the duration of `body`.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// The bytes as an array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lower-case hex, 64 digits.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    /// Same as `hex`.
    public var description: String { hex }

    /// The first 52 bits read as a big-endian number (the first 13 hex digits): 0 ..< 2^52.
    public var leading52Bits: UInt64 { UInt64(bigEndian: storage.0) >> 12 }

    /// The whole 256-bit value (big-endian) modulo `divisor`, which must be positive.
    public func remainder(dividingBy divisor: UInt64) -> UInt64 {
        precondition(divisor > 0 && divisor < 1 << 32)
        return withUnsafeBytes { bytes in
            var remainder: UInt64 = 0
            for byte in bytes { remainder = (remainder << 8 | UInt64(byte)) % divisor }
            return remainder
        }
    }

    public static func == (lhs: Bytes32, rhs: Bytes32) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }
}
