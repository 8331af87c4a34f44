/// Why the process is shutting down.
public enum ShutdownReason: Sendable, Equatable, CustomStringConvertible {
    /// SIGTERM: an orchestrator or operator asked for an orderly stop.
    case terminate
    /// SIGINT: Ctrl-C at a terminal.
    case interrupt
    /// The program itself asked (a fatal dependency failure, a finished one-shot job).
    case requested(String)

    /// `SIGTERM`, `SIGINT`, or the requested reason, for logs.
    public var description: String {
        switch self {
        case .terminate: "SIGTERM"
        case .interrupt: "SIGINT"
        case .requested(let reason): reason
        }
    }
}
