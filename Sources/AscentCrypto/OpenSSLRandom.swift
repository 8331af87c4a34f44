import CCrypto

/// Cryptographically secure random bytes from OpenSSL's RAND_bytes (seeded from the OS).
public enum OpenSSLRandom {
    /// `count` fresh random bytes; throws when OpenSSL cannot produce them (an unseeded generator).
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max))
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw OpenSSLError(function: "RAND_bytes") }
        return bytes
    }
}
