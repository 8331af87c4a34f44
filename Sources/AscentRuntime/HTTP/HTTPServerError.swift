/// A failure to set up the HTTP server's socket: which call failed, the errno, and why.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    /// The system call or step that failed (`bind`, `listen`, `parse host`).
    public let operation: String
    /// The errno it reported, or 0 when the failure was not a system call.
    public let code: Int32
    /// A readable explanation.
    public let reason: String

    /// An error for `operation` with `code` and `reason`.
    public init(operation: String, code: Int32, reason: String) {
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    /// `bind failed: Address already in use (errno 98)`.
    public var description: String {
        code == 0 ? "\(operation) failed: \(reason)" : "\(operation) failed: \(reason) (errno \(code))"
    }
}
