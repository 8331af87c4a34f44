import CCrypto

/// HMAC-SHA256 through OpenSSL's EVP_MAC API with a fixed key: the reference for the pure Swift
/// HMAC and the baseline for its speed.
///
/// Owns the fetched EVP_MAC and one EVP_MAC_CTX (both freed in deinit); the key is set once and each
/// code re-initialises the context with it. Not thread-safe.
public final class OpenSSLHMACSHA256 {
    private let algorithm: OpaquePointer
    private let context: OpaquePointer

    /// A MAC keyed with `key` (any length).
    public init(key: [UInt8]) throws {
        guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else { throw OpenSSLError(function: "EVP_MAC_fetch") }
        guard let context = EVP_MAC_CTX_new(algorithm) else {
            EVP_MAC_free(algorithm)
            throw OpenSSLError(function: "EVP_MAC_CTX_new")
        }
        self.algorithm = algorithm
        self.context = context
        // OSSL_PARAM points into `digestName` only for the duration of EVP_MAC_init, which copies it.
        var digestName = Array("SHA256".utf8CString)
        // An empty key still needs a non-null pointer; one zero byte with length 0 serves.
        let keyBytes = key.isEmpty ? [UInt8(0)] : key
        let status = digestName.withUnsafeMutableBufferPointer { name in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", name.baseAddress, 0),
                OSSL_PARAM_construct_end(),
            ]
            return keyBytes.withUnsafeBufferPointer { bytes in
                EVP_MAC_init(context, bytes.baseAddress, key.count, &parameters)
            }
        }
        guard status == 1 else { throw OpenSSLError(function: "EVP_MAC_init") }
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_free(algorithm)
    }

    /// The 32-byte authentication code of `message`.
    public func authenticationCode(for message: UnsafeRawBufferPointer) throws -> [UInt8] {
        // A nil key re-initialises with the key given at init.
        guard EVP_MAC_init(context, nil, 0, nil) == 1 else { throw OpenSSLError(function: "EVP_MAC_init") }
        guard EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1 else {
            throw OpenSSLError(function: "EVP_MAC_update")
        }
        var code = [UInt8](repeating: 0, count: 32)
        var length = 0
        guard EVP_MAC_final(context, &code, &length, code.count) == 1, length == 32 else {
            throw OpenSSLError(function: "EVP_MAC_final")
        }
        return code
    }

    /// The 32-byte authentication code of `message`.
    public func authenticationCode(for message: [UInt8]) throws -> [UInt8] {
        try message.withUnsafeBytes { try authenticationCode(for: $0) }
    }
}
