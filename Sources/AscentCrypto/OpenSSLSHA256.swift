import CCrypto

/// SHA-256 through OpenSSL's EVP digest API: the reference that the pure Swift code is checked
/// against, and the baseline for its speed.
///
/// Owns one EVP_MD_CTX (freed in deinit) that is reused for every message; not thread-safe.
public final class OpenSSLSHA256 {
    private let context: OpaquePointer

    /// A hasher with its own OpenSSL context.
    public init() throws {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError(function: "EVP_MD_CTX_new") }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// The 32-byte digest of `message`.
    public func hash(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw OpenSSLError(function: "EVP_DigestInit_ex") }
        guard EVP_DigestUpdate(context, message.baseAddress, message.count) == 1 else {
            throw OpenSSLError(function: "EVP_DigestUpdate")
        }
        // OpenSSL writes exactly 32 bytes into our buffer; we own it.
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else {
            throw OpenSSLError(function: "EVP_DigestFinal_ex")
        }
        return digest
    }

    /// The 32-byte digest of `message`.
    public func hash(_ message: [UInt8]) throws -> [UInt8] {
        try message.withUnsafeBytes { try hash($0) }
    }
}
