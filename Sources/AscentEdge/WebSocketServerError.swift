/// A failure to set up the server's sockets or threads: which step failed, the errno, and why.
public struct WebSocketServerError: Error, CustomStringConvertible, Sendable {
    /// The system call or step that failed (`socket`, `bind`, `listen`, `epoll_create`).
    public let operation: String
    /// The errno it reported, or 0 when the failure was not a system call.
    public let code: Int32
    /// A readable explanation.
    public let reason: String

    /// An error from its parts.
    public init(operation: String, code: Int32, reason: String) {
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    /// `operation failed: reason (errno code)`.
    public var description: String { "\(operation) failed: \(reason) (errno \(code))" }
}
