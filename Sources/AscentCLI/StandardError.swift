#if canImport(Glibc)
import Glibc
#endif

/// Writes `message` and a newline to standard error (file descriptor 2, unbuffered).
func printError(_ message: String) {
    var bytes = Array(message.utf8)
    bytes.append(10)
    var written = 0
    while written < bytes.count {
        let result = bytes[written...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        guard result > 0 else { return }
        written += result
    }
}
