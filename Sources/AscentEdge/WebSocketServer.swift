import AscentRuntime
import CSystemShim
import Glibc
import Synchronization

/// A WebSocket (RFC 6455) and plain HTTP GET server on one port, built for broadcasting the same
/// small frames to many clients: N worker threads, each with its own epoll set and its own
/// SO_REUSEPORT listener; output coalesced per connection and written once per loop pass.
///
/// The application sees connections through batches of `WebSocketEvent`s delivered on one
/// dispatcher thread, and talks back with `send`, `broadcast` (a frame encoded once goes to
/// every connection subscribed to a group), `subscribe` and `close`, which are safe from any
/// thread. See docs/edge.md for the design and its limits.
public final class WebSocketServer: Sendable {
    /// Answers a plain HTTP GET or HEAD; runs on a worker thread, so it must be quick.
    public typealias Route = @Sendable (HTTPRequest) -> HTTPResponse
    /// Receives batches of events, in order per connection, on the dispatcher thread.
    public typealias EventHandler = @Sendable ([WebSocketEvent]) -> Void

    /// The TCP port the server listens on (the kernel's choice when 0 was asked for).
    public let port: Int
    /// The limits the server was created with.
    public let configuration: Configuration
    let shared: EdgeShared
    private let inboxes: [EdgeInbox]
    private let sockets: [EdgeWorkerSockets]
    private let threads = Mutex<ThreadState>(.notStarted)

    private enum ThreadState {
        case notStarted
        case running(workers: [EdgeThread], dispatcher: EdgeThread)
        case stopped
    }

    /// Binds `host:port` (numeric IPv4 or `localhost`; port 0 for an ephemeral one) with one
    /// SO_REUSEPORT listener per worker; call `start` to begin serving. Other processes may bind
    /// the same port the same way, and the kernel spreads connections over all listeners.
    public init(host: String = "127.0.0.1", port: Int, configuration: Configuration = Configuration()) throws(WebSocketServerError) {
        guard (1...255).contains(configuration.workerCount) else {
            throw WebSocketServerError(operation: "configure", code: 0, reason: "workerCount must be in 1...255")
        }
        guard configuration.maximumMessageBytes > 0, configuration.outputHighWaterBytes > 0,
              configuration.maximumConnections > 0, configuration.eventQueueLimit > 0, configuration.inboxLimit > 0 else {
            throw WebSocketServerError(operation: "configure", code: 0, reason: "limits must be positive")
        }
        self.configuration = configuration
        shared = try EdgeShared(configuration: configuration)
        var opened: [EdgeWorkerSockets] = []
        var inboxes: [EdgeInbox] = []
        var boundPort = port
        do throws(WebSocketServerError) {
            for _ in 0..<configuration.workerCount {
                let listener = try EdgeListener.open(host: host, port: boundPort)
                boundPort = listener.port
                let epollFD = ascent_epoll_create()
                guard epollFD >= 0 else {
                    let code = errno
                    Glibc.close(listener.fd)
                    throw EdgeListener.failure("epoll_create", code)
                }
                let workerSockets = EdgeWorkerSockets(listenFD: listener.fd, epollFD: epollFD)
                opened.append(workerSockets)
                let inbox = try EdgeInbox(limit: configuration.inboxLimit, limitBytes: configuration.inboxLimitBytes)
                inboxes.append(inbox)
                guard ascent_epoll_add(epollFD, listener.fd, ascent_epollin, UInt64.max) == 0,
                      ascent_epoll_add(epollFD, inbox.wakeFD, ascent_epollin, UInt64.max - 1) == 0 else {
                    throw EdgeListener.failure("epoll_ctl", errno)
                }
            }
        } catch {
            for workerSockets in opened { workerSockets.close() }
            throw error
        }
        self.port = boundPort
        self.inboxes = inboxes
        sockets = opened
    }

    deinit {
        stop()
    }

    /// Answers GET and HEAD requests for exactly `path` (query ignored) with `handler`, on the
    /// same port as the WebSocket endpoint; replaces an earlier route for the path.
    public func route(_ path: String, _ handler: @escaping Route) {
        precondition(path.hasPrefix("/"), "route paths start with /")
        shared.routes.withLock { $0[path] = handler }
    }

    /// Starts the workers and the dispatcher thread that calls `handler`; later calls do nothing.
    public func start(_ handler: @escaping EventHandler) {
        threads.withLock { state in
            guard case .notStarted = state else { return }
            var workers: [EdgeThread] = []
            for index in 0..<sockets.count {
                let (workerSockets, inbox, shared) = (sockets[index], inboxes[index], shared)
                workers.append(EdgeThread.spawn {
                    EdgeLoop(index: index, sockets: workerSockets, inbox: inbox, shared: shared).run()
                })
            }
            let events = shared.events
            let dispatcher = EdgeThread.spawn {
                while let batch = events.next() { handler(batch) }
            }
            state = .running(workers: workers, dispatcher: dispatcher)
        }
    }

    /// Stops serving: each worker sends open clients a best-effort close (1001) and closes every
    /// socket; events not yet handed to the handler are dropped. Waits for the workers (one loop
    /// pass, so it is prompt) and for the dispatcher unless called from the handler itself, in
    /// which case the dispatcher ends when the handler returns. Idempotent.
    public func stop() {
        let running: ThreadState = threads.withLock { state in
            defer { state = .stopped }
            return state
        }
        switch running {
        case .notStarted:
            for workerSockets in sockets { workerSockets.close() }
        case .running(let workers, let dispatcher):
            shared.stopping.store(true, ordering: .releasing)
            for inbox in inboxes { inbox.wake() }
            for worker in workers { worker.join() }
            shared.events.stop()
            if !dispatcher.isCurrent { dispatcher.join() } else { pthread_detach(dispatcher.handle) }
        case .stopped:
            break
        }
    }

    /// Queues an encoded frame (see `WebSocketFrame`) for one connection; false when the owning
    /// worker's inbox is full (the frame is dropped and counted). Frames to a closed connection
    /// are ignored.
    @discardableResult
    public func send(_ frame: [UInt8], to connection: WebSocketConnectionID) -> Bool {
        push(.send(connection, frame), bytes: frame.count, worker: connection.worker)
    }

    /// Queues one encoded frame for every connection subscribed to `group`: the bytes are shared
    /// by all workers and copied only into each connection's output buffer. False when some
    /// worker's inbox was full (its subscribers miss this frame; the drop is counted).
    @discardableResult
    public func broadcast(_ frame: [UInt8], to group: UInt64) -> Bool {
        var all = true
        for index in inboxes.indices where !push(.broadcast(group: group, frame), bytes: frame.count, worker: index) {
            all = false
        }
        return all
    }

    /// Adds a connection to a broadcast group (e.g. a table); ordered with sends and broadcasts
    /// made after it from the same thread.
    @discardableResult
    public func subscribe(_ connection: WebSocketConnectionID, to group: UInt64) -> Bool {
        push(.subscribe(connection, group: group), bytes: 0, worker: connection.worker)
    }

    /// Removes a connection from a broadcast group.
    @discardableResult
    public func unsubscribe(_ connection: WebSocketConnectionID, from group: UInt64) -> Bool {
        push(.unsubscribe(connection, group: group), bytes: 0, worker: connection.worker)
    }

    /// Closes a connection with `code` after the frames already queued for it; the handler then
    /// sees its `closed` event with that code.
    @discardableResult
    public func close(_ connection: WebSocketConnectionID, code: WebSocketCloseCode = .normal, reason: String = "") -> Bool {
        push(.close(connection, code, reason: reason), bytes: 0, worker: connection.worker)
    }

    /// The server's counters now.
    public var statistics: WebSocketStatistics { shared.counters.snapshot }

    private func push(_ command: EdgeCommand, bytes: Int, worker: Int) -> Bool {
        guard worker < inboxes.count else { return false }
        if inboxes[worker].push(command, bytes: bytes) { return true }
        shared.counters.inboxDrops.add(1, ordering: .relaxed)
        return false
    }
}
