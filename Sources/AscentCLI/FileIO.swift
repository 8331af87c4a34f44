#if canImport(Glibc)
import Glibc
#endif

/// A file operation that failed: which, on what path, and the operating system's reason.
struct FileError: Error, CustomStringConvertible {
    /// The errno value.
    let code: Int32
    /// What was being done ("create", "read", ...).
    let operation: String
    /// The path involved.
    let path: String
    /// Whether trying again can help (interrupted or temporarily unavailable).
    var isRetriable: Bool { code == EINTR || code == EAGAIN }

    var description: String {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return "cannot \(operation) \(path): \(reason)"
    }
}

/// Whole-file reads and exclusive creates, straight on file descriptors (the CLI is the IO layer).
enum FileIO {
    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates `path` (failing if it exists), writes `bytes`, syncs, and closes; on any failure the
    /// partial file is removed so nothing half-written is left behind.
    static func createExclusively(_ path: String, bytes: [UInt8], mode: mode_t) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileError(code: errno, operation: "create", path: path) }
        var failure: FileError?
        // open's mode is filtered by the umask, which can only remove bits; fchmod states it exactly.
        if fchmod(descriptor, mode) != 0 { failure = FileError(code: errno, operation: "set permissions of", path: path) }
        var written = 0
        while failure == nil, written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                failure = FileError(code: errno, operation: "write", path: path)
            } else {
                written += result
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = FileError(code: errno, operation: "sync", path: path) }
        if close(descriptor) != 0, failure == nil { failure = FileError(code: errno, operation: "close", path: path) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// The whole content of `path`, refusing files larger than `limit` bytes.
    static func readAll(_ path: String, limit: Int) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(code: errno, operation: "open", path: path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileError(code: errno, operation: "stat", path: path) }
        guard Int(status.st_size) <= limit else { throw FileError(code: EFBIG, operation: "read", path: path) }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let result = bytes[filled...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileError(code: errno, operation: "read", path: path)
            }
            if result == 0 { break }  // shrank while reading: return what is there; the decoder checks sizes
            filled += result
        }
        return Array(bytes.prefix(filled))
    }
}

/// Collects output and writes it to standard output in large chunks: printing millions of lines
/// one `print` at a time would spend most of its time locking and writing.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private let flushThreshold = 1 << 16

    init() { bytes.reserveCapacity(flushThreshold + 256) }

    /// Appends `line` and a newline, writing out when the buffer is full.
    mutating func appendLine(_ line: String) {
        bytes.append(contentsOf: line.utf8)
        bytes.append(10)
        if bytes.count >= flushThreshold { flush() }
    }

    /// Writes everything buffered to file descriptor 1.
    mutating func flush() {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { break }
            written += result
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
