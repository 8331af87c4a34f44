/// How serious a log line is; lines below a logger's minimum level are dropped before any
/// formatting happens.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    /// Detail for developers chasing a problem; off in production.
    case debug
    /// Normal milestones: started, listening, round settled.
    case info
    /// Something unexpected that the process survived: a retry, a slow consumer, a bad request.
    case warning
    /// Something failed and needs a person: lost connection, failed commit.
    case error

    /// The name written in the `level` field and accepted in `ASCENT_LOG_LEVEL`.
    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses a level name, case-insensitively (`warn` is accepted for `warning`); nil otherwise.
    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    /// Orders levels from debug (least serious) to error.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
