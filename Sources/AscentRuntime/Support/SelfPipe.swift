import Glibc

/// Creates the non-blocking, close-on-exec pipes used to wake a poll() loop or a reader thread
/// (Glibc's module does not expose pipe2, so flags are set with fcntl).
enum SelfPipe {
    /// A pipe's (read, write) descriptors, both non-blocking and close-on-exec.
    static func make() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let status = pipe(&fds)
        precondition(status == 0, "pipe failed: errno \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }
}
