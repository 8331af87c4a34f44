/// A failure reported by PostgreSQL or libpq: the SQLSTATE, the server's message, what we were
/// doing, and whether the same call may succeed if retried.
public struct PQError: Error, CustomStringConvertible, Sendable {
    /// The SQLSTATE (e.g. "40001"), or "08000" when the connection itself failed with no server code.
    public var sqlState: String
    /// The message from PostgreSQL or libpq, for people.
    public var message: String
    /// What the caller was doing.
    public var operation: String
    /// Whether a retry may help: serialization failure, deadlock, or a lost connection.
    public var isRetriable: Bool { Self.isRetriable(sqlState: sqlState) }
    /// Whether the connection is gone (class 08 or a server shutdown), so the outcome of a commit
    /// in flight is unknown and the connection must be replaced.
    public var isConnectionLoss: Bool { sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) }

    /// A failure with `sqlState` and `message` during `operation`.
    public init(sqlState: String, message: String, operation: String) {
        self.sqlState = sqlState
        self.message = message
        self.operation = operation
    }

    /// Whether a failure with `sqlState` may go away on retry.
    public static func isRetriable(sqlState: String) -> Bool {
        sqlState == "40001" || sqlState == "40P01" || sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var description: String { "\(operation): \(message) [SQLSTATE \(sqlState)\(isRetriable ? ", retriable" : "")]" }
}
