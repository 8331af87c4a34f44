import CCrypto

/// A failure inside OpenSSL's libcrypto: which call failed and OpenSSL's own reason.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    /// The libcrypto function that failed.
    public let function: String
    /// OpenSSL's text for the first queued error, or a note that none was queued.
    public let reason: String
    /// Whether trying again can help: false, since these calls fail only on misuse or a broken library.
    public var isRetriable: Bool { false }

    /// An error for `function`, draining OpenSSL's thread-local error queue into `reason`.
    init(function: String) {
        self.function = function
        let code = ERR_get_error()
        if code == 0 {
            reason = "no OpenSSL error queued"
        } else {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        ERR_clear_error()
    }

    public var description: String { "OpenSSL \(function) failed: \(reason)" }
}
