/// Where services report what they do: one line per fact, with fields. The executable plugs in the
/// JSON-lines logger; tests plug in a collector.
public protocol ServiceLogger: Sendable {
    /// Records something that happened at `level` ("debug", "info", "warning", "error").
    func log(_ level: String, _ message: String, _ fields: [String: String])
}

extension ServiceLogger {
    /// Records an informational fact.
    public func info(_ message: String, _ fields: [String: String] = [:]) { log("info", message, fields) }
    /// Records a problem that the service handled.
    public func warning(_ message: String, _ fields: [String: String] = [:]) { log("warning", message, fields) }
    /// Records a failure.
    public func error(_ message: String, _ fields: [String: String] = [:]) { log("error", message, fields) }
}

/// A logger that drops everything.
public struct SilentLogger: ServiceLogger {
    /// A logger that drops everything.
    public init() {}
    public func log(_ level: String, _ message: String, _ fields: [String: String]) {}
}
