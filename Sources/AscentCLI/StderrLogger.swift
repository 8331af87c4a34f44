import AscentServices
import Foundation

/// JSON lines on standard error, so standard output stays for people.
struct StderrLogger: ServiceLogger {
    let component: String
    let minimumLevel: Int

    init(component: String) {
        self.component = component
        let levels = ["debug": 0, "info": 1, "warning": 2, "error": 3]
        minimumLevel = levels[ProcessInfo.processInfo.environment["ASCENT_LOG_LEVEL"] ?? "info"] ?? 1
    }

    func log(_ level: String, _ message: String, _ fields: [String: String]) {
        let levels = ["debug": 0, "info": 1, "warning": 2, "error": 3]
        guard levels[level, default: 1] >= minimumLevel else { return }
        var object: [String: String] = fields
        object["level"] = level
        object["component"] = component
        object["msg"] = message
        object["ts"] = ISO8601DateFormatter.shared.string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        printError(String(decoding: data, as: UTF8.self))
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let shared: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
