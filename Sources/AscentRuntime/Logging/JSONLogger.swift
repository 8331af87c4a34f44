#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes structured logs as JSON lines, one object per line:
/// `{"ts":"2026-12-03T17:00:00.123Z","level":"info","component":"authority","msg":"round crashed","round":12}`.
///
/// Each line goes out in one write() under a process-wide lock, so lines from different threads
/// (and different loggers sharing a descriptor) never interleave. A line below the minimum level
/// costs one comparison: the message and fields are autoclosures and are not even built.
public struct JSONLogger: Sendable {
    /// The environment variable that sets the default minimum level (debug, info, warning, error).
    public static let levelEnvironmentVariable = "ASCENT_LOG_LEVEL"

    /// The part of the system writing (`wallet`, `authority`, `edge`), in every line's `component`.
    public let component: String
    /// Lines below this level are dropped.
    public let minimumLevel: LogLevel
    /// Where lines are written; standard output unless given.
    public let fileDescriptor: Int32
    private let baseFields: [String: LogValue]

    /// Serialises writes across every logger in the process, so a line cut short by a partial
    /// write is finished before another line starts.
    private static let writeLock = Mutex(())

    /// A logger for `component` writing to `fileDescriptor` (standard output by default). With no
    /// `minimumLevel`, it comes from `ASCENT_LOG_LEVEL` (default info; an unknown value is
    /// reported in a warning line and info is used).
    public init(component: String, minimumLevel: LogLevel? = nil, fileDescriptor: Int32 = STDOUT_FILENO) {
        self.component = component
        self.fileDescriptor = fileDescriptor
        self.baseFields = [:]
        if let minimumLevel {
            self.minimumLevel = minimumLevel
            return
        }
        let configured = getenv(Self.levelEnvironmentVariable).map { String(cString: $0) }
        if let configured, !configured.isEmpty {
            if let level = LogLevel(name: configured) {
                self.minimumLevel = level
            } else {
                self.minimumLevel = .info
                warning("unknown log level, using info", [
                    "variable": .string(Self.levelEnvironmentVariable), "value": .string(configured),
                ])
            }
        } else {
            self.minimumLevel = .info
        }
    }

    private init(component: String, minimumLevel: LogLevel, fileDescriptor: Int32, baseFields: [String: LogValue]) {
        self.component = component
        self.minimumLevel = minimumLevel
        self.fileDescriptor = fileDescriptor
        self.baseFields = baseFields
    }

    /// A logger that adds `fields` to every line (e.g. `["table": "main"]`); fields given to a call
    /// override these.
    public func with(_ fields: [String: LogValue]) -> JSONLogger {
        JSONLogger(component: component, minimumLevel: minimumLevel, fileDescriptor: fileDescriptor,
                   baseFields: baseFields.merging(fields) { _, new in new })
    }

    /// Whether a line at `level` would be written; use it to skip expensive preparation.
    @inlinable
    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    /// Writes `message` with `fields` at `level`, if the level is enabled.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String,
                    _ fields: @autoclosure () -> [String: LogValue] = [:]) {
        guard isEnabled(level) else { return }
        let line = Self.encodeLine(
            millisecondsSinceEpoch: MonotonicClock.wallMilliseconds(), level: level, component: component,
            message: message(), fields: baseFields.isEmpty ? fields() : baseFields.merging(fields()) { _, new in new })
        write(line)
    }

    /// Writes a debug line.
    public func debug(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: LogValue] = [:]) {
        log(.debug, message(), fields())
    }

    /// Writes an info line.
    public func info(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: LogValue] = [:]) {
        log(.info, message(), fields())
    }

    /// Writes a warning line.
    public func warning(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: LogValue] = [:]) {
        log(.warning, message(), fields())
    }

    /// Writes an error line.
    public func error(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> [String: LogValue] = [:]) {
        log(.error, message(), fields())
    }

    /// The bytes of one log line, newline included; fields follow the fixed ones sorted by key.
    static func encodeLine(millisecondsSinceEpoch: Int64, level: LogLevel, component: String, message: String,
                           fields: [String: LogValue]) -> [UInt8] {
        var encoder = JSONLineEncoder(capacity: 128 + fields.count * 32 + message.utf8.count)
        encoder.timestampField("ts", millisecondsSinceEpoch: millisecondsSinceEpoch)
        encoder.field("level", .string(level.name))
        encoder.field("component", .string(component))
        encoder.field("msg", .string(message))
        for key in fields.keys.sorted() {
            let name = JSONLineEncoder.reservedKeys.contains(key) ? "_" + key : key
            encoder.field(name, fields[key]!)
        }
        return encoder.finishLine()
    }

    /// The timestamp format of the `ts` field, `2026-12-03T17:00:00.123Z`, for milliseconds since
    /// the Unix epoch in UTC.
    public static func timestamp(millisecondsSinceEpoch: Int64) -> String {
        JSONLineEncoder.iso8601(millisecondsSinceEpoch: millisecondsSinceEpoch)
    }

    /// One write() in the normal case; a partial write (a full pipe) is finished under the lock.
    /// Failures are dropped: a logger has nowhere better to report them.
    private func write(_ line: [UInt8]) {
        let descriptor = fileDescriptor
        Self.writeLock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}
