import Glibc

/// A connection's output buffer and write state, kept in an array indexed by slot (not in the
/// connection object) so that a broadcast appends to thousands of them with no reference
/// counting and one exclusivity check, as the hot loop runs over an unsafe buffer of these.
struct EdgeOutput {
    /// Bytes queued for the client; the first `start` of them are already written.
    var bytes: [UInt8] = []
    var start = 0
    var fd: Int32 = -1
    /// Whether the slot is in the loop's list of connections to flush this pass.
    var isDirty = false
    /// Whether EPOLLOUT is registered (the socket refused part of the output).
    var watchingWritable = false
    /// After the output drains, shut the write side (the connection is closing).
    var shutdownAfterFlush = false
    var writeShut = false

    init() {}

    init(fd: Int32) {
        self.fd = fd
    }

    /// Bytes queued and not yet written.
    var pending: Int { bytes.count - start }

    enum WriteOutcome {
        /// Everything went out (and the write side was shut if asked).
        case drained
        /// The socket took only part; the rest waits for EPOLLOUT.
        case blocked
        /// The connection is broken (errno).
        case failed(Int32)
    }

    /// Writes as much as the socket takes, in one call when it takes it all; adds the bytes
    /// written to `written`.
    mutating func write(written: inout Int) -> WriteOutcome {
        while start < bytes.count {
            let offset = start
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                start += sent
                written += sent
                continue
            }
            let code = errno
            if sent < 0 && code == EINTR { continue }
            if sent < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                if start >= 65536 {
                    bytes.removeFirst(start)
                    start = 0
                }
                return .blocked
            }
            return .failed(code)
        }
        // Keep a small buffer's capacity for the next tick; give a large one back.
        bytes.removeAll(keepingCapacity: bytes.capacity <= 4096)
        start = 0
        if shutdownAfterFlush && !writeShut {
            writeShut = true
            _ = shutdown(fd, Int32(SHUT_WR))
        }
        return .drained
    }
}
