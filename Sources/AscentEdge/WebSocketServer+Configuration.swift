extension WebSocketServer {
    /// Limits and behaviour of the server; every buffer and queue it keeps is bounded by one of these.
    public struct Configuration: Sendable {
        /// Worker threads, each with its own epoll set and its own SO_REUSEPORT listener.
        public var workerCount: Int = 2
        /// Most connections open at once across the workers (split evenly); one process may hold
        /// at most 20,000 descriptors here, so run more processes on the same port for more.
        public var maximumConnections: Int = 18_000
        /// Largest message (all fragments together) a client may send; larger closes with 1009.
        public var maximumMessageBytes: Int = 64 * 1024
        /// Largest HTTP request head; larger is answered 431.
        public var maximumHeadBytes: Int = 8192
        /// Bytes queued for one client beyond which it is cut off as too slow (close code 1008
        /// reported; the connection is dropped since a close frame could not get through).
        public var outputHighWaterBytes: Int = 1 << 20
        /// SO_SNDBUF for client sockets, or nil for the kernel's autotuning; a small value bounds
        /// kernel memory per connection and makes the high-water mark bite sooner.
        public var socketSendBufferBytes: Int? = nil
        /// Time allowed from accept to a complete request head.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Silence from a client after which the server sends a ping.
        public var pingInterval: Duration = .seconds(20)
        /// Silence from a client (no frame, no pong) after which the server closes it (1001).
        public var idleTimeout: Duration = .seconds(60)
        /// Time a closing connection gets to finish (flush our close, see the client's FIN).
        public var closeTimeout: Duration = .seconds(2)
        /// Message events queued for the application before workers stop reading from clients
        /// (backpressure; open and close events are always queued, at most two per connection).
        public var eventQueueLimit: Int = 65_536
        /// Commands (sends, broadcasts, subscriptions) queued for one worker; beyond it `send`
        /// and `broadcast` return false for that worker and count a drop.
        public var inboxLimit: Int = 65_536
        /// Bytes of frames queued for one worker; beyond it as for `inboxLimit`.
        public var inboxLimitBytes: Int = 64 << 20
        /// When set, upgrades whose Origin header is not in the set are refused with 403.
        public var allowedOrigins: Set<String>? = nil
        /// When set, only this path upgrades to WebSocket; otherwise any path that is not a route.
        public var webSocketPath: String? = nil

        /// The defaults: 2 workers, 18,000 connections, 64 KB messages, 1 MB high-water mark.
        public init() {}
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at zero for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
