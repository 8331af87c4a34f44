import Glibc
import Synchronization

/// The poll() loop behind `HTTPServer`: accepts, reads, parses, answers and times out
/// connections, all on the one serving thread, which alone touches the connection list.
final class HTTPServerLoop: Sendable {
    let routes = Mutex<[String: HTTPServer.Handler]>([:])
    private let listener: HTTPListener
    private let configuration: HTTPServer.Configuration
    private let logger: JSONLogger?
    private let stopping = Atomic<Bool>(false)
    /// A self-pipe: `requestStop` writes a byte so poll() returns at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// How long a connection that was answered and shut for writing may take to close its side.
    private static let drainNanoseconds: UInt64 = 2_000_000_000
    /// Longest poll() wait, so a paused listener resumes and timeouts are checked.
    private static let maximumPollMilliseconds: Int32 = 250
    private static let readChunk = 16384

    init(listener: HTTPListener, configuration: HTTPServer.Configuration, logger: JSONLogger?) {
        self.listener = listener
        self.configuration = configuration
        self.logger = logger
        (wakeRead, wakeWrite) = SelfPipe.make()
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    func requestStop() {
        stopping.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func closeUnstarted() {
        listener.close()
    }

    private var idleNanoseconds: UInt64 {
        let (seconds, attoseconds) = configuration.idleTimeout.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    func run() {
        var connections: [HTTPConnection] = []
        var pollFDs: [pollfd] = []
        var listenerPausedUntil: UInt64 = 0
        var lastAcceptWarning: UInt64 = 0
        var readBuffer = [UInt8](repeating: 0, count: Self.readChunk)
        let idle = idleNanoseconds

        while !stopping.load(ordering: .acquiring) {
            let now = MonotonicClock.nanoseconds()
            pollFDs.removeAll(keepingCapacity: true)
            pollFDs.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            // A negative descriptor makes poll() skip the entry while the listener is paused.
            pollFDs.append(pollfd(fd: now >= listenerPausedUntil ? listener.fd : -1, events: Int16(POLLIN), revents: 0))
            var nextDeadline = now + UInt64(Self.maximumPollMilliseconds) * 1_000_000
            for connection in connections {
                let events = connection.hasPendingOutput ? Int16(POLLOUT) : Int16(POLLIN)
                pollFDs.append(pollfd(fd: connection.fd, events: events, revents: 0))
                nextDeadline = min(nextDeadline, connection.lastActivity + (connection.draining ? Self.drainNanoseconds : idle))
            }
            let waitMilliseconds = nextDeadline > now ? Int32(min(UInt64(Self.maximumPollMilliseconds), (nextDeadline - now) / 1_000_000 + 1)) : 0
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                logger?.error("http poll failed, server stopping", ["errno": .int(errno)])
                break
            }
            if pollFDs[0].revents != 0 { drainWakePipe() }
            if stopping.load(ordering: .acquiring) { break }

            let afterPoll = MonotonicClock.nanoseconds()
            var index = 0
            for slot in 0..<connections.count {
                let revents = pollFDs[slot + 2].revents
                if revents != 0 && !service(&connections[index], revents: revents, now: afterPoll, buffer: &readBuffer) {
                    close(connections[index].fd)
                    connections.remove(at: index)
                    continue
                }
                index += 1
            }

            if pollFDs[1].revents != 0 {
                acceptConnections(into: &connections, now: afterPoll, pausedUntil: &listenerPausedUntil,
                                  lastWarning: &lastAcceptWarning)
            }

            connections.removeAll { connection in
                let limit = connection.draining ? Self.drainNanoseconds : idle
                guard afterPoll >= connection.lastActivity + limit else { return false }
                close(connection.fd)
                return true
            }
        }

        for connection in connections {
            close(connection.fd)
        }
        listener.close()
    }

    private func drainWakePipe() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    private func acceptConnections(into connections: inout [HTTPConnection], now: UInt64, pausedUntil: inout UInt64,
                                   lastWarning: inout UInt64) {
        let listenerFD = listener.fd
        for _ in 0..<64 {
            let fd = accept(listenerFD, nil, nil)
            if fd < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR || code == ECONNABORTED { continue }
                // Out of descriptors or memory: the pending connection stays readable, so stop
                // polling the listener for a moment instead of spinning on it.
                pausedUntil = now + 100_000_000
                if now >= lastWarning + 1_000_000_000 {
                    lastWarning = now
                    logger?.warning("http accept failed", ["errno": .int(code), "reason": .string(HTTPListener.describe(code))])
                }
                return
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if connections.count >= configuration.maximumConnections {
                // Over the cap: say so in one best-effort write and hang up.
                let answer = HTTPResponse(status: 503, text: "too many connections\n").serialized(keepAlive: false, includeBody: true)
                _ = answer.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            connections.append(HTTPConnection(fd: fd, now: now))
        }
    }

    /// Handles poll events on one connection; false means close it.
    private func service(_ connection: inout HTTPConnection, revents: Int16, now: UInt64, buffer: inout [UInt8]) -> Bool {
        if revents & Int16(POLLNVAL) != 0 { return false }
        if connection.hasPendingOutput {
            if revents & Int16(POLLERR) != 0 { return false }
            guard flush(&connection, now: now) else { return false }
            if connection.hasPendingOutput { return true }
            guard afterResponse(&connection, now: now) else { return false }
            // Requests pipelined behind the one just answered.
            return process(&connection, now: now)
        }
        // Readable (or hung up / errored, which read() reports).
        let room = connection.draining ? buffer.count : min(buffer.count, configuration.maximumHeadBytes + 1 - connection.input.count)
        guard room > 0 else { return false }
        let received = buffer.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, room) }
        if received == 0 { return false }
        if received < 0 {
            let code = errno
            return code == EAGAIN || code == EWOULDBLOCK || code == EINTR
        }
        if connection.draining { return true }
        connection.input.append(contentsOf: buffer[0..<received])
        return process(&connection, now: now)
    }

    /// After a response is fully written: drop it, and when the connection is to close, shut the
    /// write side and start draining. False when the connection is already gone.
    private func afterResponse(_ connection: inout HTTPConnection, now: UInt64) -> Bool {
        connection.output = []
        connection.outputOffset = 0
        guard connection.closeAfterWrite else { return true }
        connection.draining = true
        connection.input = []
        connection.lastActivity = now
        return shutdown(connection.fd, Int32(SHUT_WR)) == 0
    }

    /// Parses and answers every complete request in the input, stopping while output is pending.
    private func process(_ connection: inout HTTPConnection, now: UInt64) -> Bool {
        while !connection.hasPendingOutput && !connection.draining {
            let response: HTTPResponse
            var keepAlive = false
            var includeBody = true
            switch HTTPRequestParser.parse(connection.input[...], maximumHeadBytes: configuration.maximumHeadBytes) {
            case .incomplete:
                return true
            case .tooLarge:
                response = HTTPResponse(status: 431, text: "request head larger than \(configuration.maximumHeadBytes) bytes\n")
            case .malformed(let reason):
                response = HTTPResponse(status: 400, text: "bad request: \(reason)\n")
            case .request(let request, let consumed, let hasBody):
                connection.input.removeFirst(consumed)
                keepAlive = configuration.keepAlive && !hasBody && Self.wantsKeepAlive(request)
                includeBody = request.method != "HEAD"
                response = answer(request)
            }
            connection.output = response.serialized(keepAlive: keepAlive, includeBody: includeBody)
            connection.outputOffset = 0
            connection.closeAfterWrite = !keepAlive
            connection.lastActivity = now
            guard flush(&connection, now: now) else { return false }
            if connection.hasPendingOutput { return true }
            guard afterResponse(&connection, now: now) else { return false }
        }
        return true
    }

    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        guard let handler = routes.withLock({ $0[request.path] }) else {
            return HTTPResponse(status: 404, text: "not found\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD")], text: "method not allowed\n")
        }
        return handler(request)
    }

    private static func wantsKeepAlive(_ request: HTTPRequest) -> Bool {
        let tokens = (request.header("Connection") ?? "").lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: " \t")
        }
        if tokens.contains("close") { return false }
        return request.version == "HTTP/1.1" || tokens.contains("keep-alive")
    }

    /// Writes as much pending output as the socket takes; false on a broken connection.
    private func flush(_ connection: inout HTTPConnection, now: UInt64) -> Bool {
        while connection.hasPendingOutput {
            let offset = connection.outputOffset
            let sent = connection.output.withUnsafeBytes {
                send(connection.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.outputOffset += sent
                connection.lastActivity = now
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true
            } else {
                return false
            }
        }
        return true
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
