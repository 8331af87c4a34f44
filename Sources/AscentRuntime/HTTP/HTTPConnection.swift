/// One client connection of the HTTP server, owned by the serving thread.
struct HTTPConnection {
    let fd: Int32
    /// Received bytes not yet parsed; never more than the head limit plus one read.
    var input: [UInt8] = []
    /// The response being written and how much of it has gone out.
    var output: [UInt8] = []
    var outputOffset = 0
    /// Monotonic nanoseconds of the last accept, completed request or write progress.
    var lastActivity: UInt64
    /// Close once `output` is written (error answers, `Connection: close`, requests with bodies).
    var closeAfterWrite = false
    /// The answer is out and the write side shut; unread input is discarded until the client
    /// closes, so closing does not reset the connection before the client has read the answer.
    var draining = false

    init(fd: Int32, now: UInt64) {
        self.fd = fd
        self.lastActivity = now
    }

    var hasPendingOutput: Bool { outputOffset < output.count }
}
