/// HMAC-SHA256 (RFC 2104) with a fixed key, in pure Swift.
///
/// The key's two padded blocks are compressed once, at init; each code after that costs one
/// compression per 64 bytes of message plus two (so an HMAC of a 32-byte seed costs two).
public struct HMACSHA256: Sendable {
    private let inner: SHA256.State
    private let outer: SHA256.State

    /// A MAC keyed with `key` (any length: keys longer than 64 bytes are hashed first, per RFC 2104).
    public init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: 64)
        if key.count > 64 {
            SHA256.hash(key).withUnsafeBytes { digest in
                for index in 0..<32 { block[index] = digest[index] }
            }
        } else {
            for index in 0..<key.count { block[index] = key[index] }
        }
        inner = Self.absorb(block.map { $0 ^ 0x36 })
        outer = Self.absorb(block.map { $0 ^ 0x5c })
    }

    /// A MAC keyed with the bytes of `key`.
    public init(key: some Sequence<UInt8>) {
        self = Array(key).withUnsafeBytes { HMACSHA256(key: $0) }
    }

    /// A MAC keyed with the UTF-8 text of `key` (how the public JavaScript verifiers pass a salt).
    public init(utf8Key key: String) {
        self.init(key: Array(key.utf8))
    }

    /// The authentication code of `message`.
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> Bytes32 {
        var innerState = inner
        let innerDigest = innerState.finish(processedByteCount: 64, message: message)
        var outerState = outer
        return innerDigest.withUnsafeBytes { outerState.finish(processedByteCount: 64, message: $0) }
    }

    /// The authentication code of `message`.
    public func authenticationCode(for message: some Sequence<UInt8>) -> Bytes32 {
        if let code = message.withContiguousStorageIfAvailable({ authenticationCode(for: UnsafeRawBufferPointer($0)) }) {
            return code
        }
        return Array(message).withUnsafeBytes { authenticationCode(for: $0) }
    }

    /// The authentication code of the 32 raw bytes of `value`.
    public func authenticationCode(for value: Bytes32) -> Bytes32 {
        value.withUnsafeBytes { authenticationCode(for: $0) }
    }

    /// The authentication code of the UTF-8 bytes of `text`.
    public func authenticationCode(utf8 text: String) -> Bytes32 {
        authenticationCode(for: Array(text.utf8))
    }

    private static func absorb(_ block: [UInt8]) -> SHA256.State {
        var state = SHA256.State.initial
        block.withUnsafeBytes { bytes in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                SHA256.roundConstants.withUnsafeBufferPointer { k in
                    state.compress(bytes.baseAddress!, schedule.baseAddress!, k.baseAddress!)
                }
            }
        }
        return state
    }
}
