#if canImport(Glibc)
import Glibc
#endif
import AscentRuntime
import AscentServices

/// The services' logger: the runtime's JSON-lines logger, on standard error so standard output
/// stays for people (the rounds `ascent up` prints).
struct StderrLogger: ServiceLogger {
    let logger: JSONLogger

    init(component: String) {
        logger = JSONLogger(component: component, fileDescriptor: STDERR_FILENO)
    }

    func log(_ level: String, _ message: String, _ fields: [String: String]) {
        let level = LogLevel(name: level) ?? .info
        guard logger.isEnabled(level) else { return }
        logger.log(level, message, fields.mapValues { LogValue.string($0) })
    }
}
