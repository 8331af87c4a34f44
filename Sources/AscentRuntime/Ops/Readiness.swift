/// Whether a process can take traffic, as /readyz reports it.
public enum Readiness: Sendable, Equatable {
    /// Ready: /readyz answers 200.
    case ready
    /// Not ready, with a reason shown in the 503 body (`catching up`, `shutting down`).
    case notReady(String)
}
