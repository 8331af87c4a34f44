import Glibc
import Synchronization

/// A small HTTP/1.1 server for operations endpoints (/metrics, /healthz, /readyz): GET and HEAD
/// routes answered by closures, served by one poll() loop on a dedicated thread.
///
/// It is built to be safe to expose to a scraper and to survive a misbehaving client: request
/// heads are capped (431), malformed requests get 400, connections are capped (503 beyond the
/// cap), and idle or stalled connections are closed after a timeout. Routes run on the server
/// thread, one at a time, so they should be quick.
public final class HTTPServer: Sendable {
    /// Limits and behaviour of the server.
    public struct Configuration: Sendable {
        /// Largest request head (request line and headers) accepted; larger gets 431.
        public var maximumHeadBytes: Int = 8192
        /// Most connections open at once; a connection beyond this gets 503 and is closed.
        public var maximumConnections: Int = 64
        /// A connection with no completed request or write progress for this long is closed.
        public var idleTimeout: Duration = .seconds(10)
        /// Whether connections stay open between requests (HTTP/1.1 keep-alive).
        public var keepAlive: Bool = true

        /// The defaults: 8 KB heads, 64 connections, 10 s idle timeout, keep-alive on.
        public init() {}
    }

    /// What a route does with a request.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// The TCP port the server is bound to (the kernel's choice when 0 was asked for).
    public let port: Int
    private let loop: HTTPServerLoop
    private let thread = Mutex<ThreadState>(.notStarted)

    private enum ThreadState {
        case notStarted
        case running(PosixThread)
        case stopped
    }

    /// Binds and listens on `host` (a numeric IPv4 or IPv6 address, or `localhost`) and `port`
    /// (0 for an ephemeral port); call `start()` to begin serving.
    public init(host: String, port: Int, configuration: Configuration = Configuration(), logger: JSONLogger? = nil) throws(HTTPServerError) {
        let listener = try HTTPListener(host: host, port: port)
        self.port = listener.port
        self.loop = HTTPServerLoop(listener: listener, configuration: configuration, logger: logger)
    }

    deinit {
        stop()
    }

    /// Answers GET and HEAD requests for exactly `path` (query strings ignored) with `handler`;
    /// replaces an earlier route for the same path. May be called before or after `start()`.
    public func route(_ path: String, _ handler: @escaping Handler) {
        precondition(path.hasPrefix("/"), "route paths start with /")
        loop.routes.withLock { $0[path] = handler }
    }

    /// Starts the serving thread; calling it again does nothing.
    public func start() {
        thread.withLock { state in
            guard case .notStarted = state else { return }
            let loop = self.loop
            state = .running(PosixThread.spawn { loop.run() })
        }
    }

    /// Closes the listener and every connection and waits for the serving thread to finish.
    /// Idempotent; must not be called from a route handler (it would wait for itself).
    public func stop() {
        let running: PosixThread? = thread.withLock { state in
            defer { state = .stopped }
            if case .running(let thread) = state { return thread }
            return nil
        }
        guard let running else {
            loop.closeUnstarted()
            return
        }
        loop.requestStop()
        running.join()
    }
}
