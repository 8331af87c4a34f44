import AscentRuntime
import CSystemShim
import Glibc

/// One worker's epoll loop: accepts from its own SO_REUSEPORT listener, reads and parses
/// requests and frames, runs commands from its inbox, and writes each connection's coalesced
/// output once per pass. Created on, and only ever touched by, the worker's thread.
final class EdgeLoop {
    private static let listenerToken = UInt64.max
    private static let inboxToken = UInt64.max - 1
    private static let readChunk = 65536
    /// Accepts and reads per event, so one busy listener or client cannot starve the others.
    private static let acceptsPerPass = 256
    private static let readsPerEvent = 4

    private let index: Int
    private let sockets: EdgeWorkerSockets
    private let inbox: EdgeInbox
    private let shared: EdgeShared
    private let configuration: WebSocketServer.Configuration
    private let connectionLimit: Int
    private let sweepNanoseconds: UInt64

    private var connections: [EdgeConnection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private var openCount = 0
    /// Group (e.g. table) → slots of the open connections subscribed to it.
    private var groups: [UInt64: EdgeGroup] = [:]
    /// Output buffers by slot (see `EdgeOutput`), parallel to `connections`.
    private var outputs: [EdgeOutput] = []
    /// Slots with output queued this pass, flushed at the end of the pass (a slot may appear
    /// twice if it was freed and reused in one pass; its `isDirty` flag makes that harmless).
    private var dirty: [Int] = []
    /// Connections whose reading waits for room in the application's event queue.
    private var paused: [EdgeConnection] = []
    private var pendingEvents: [WebSocketEvent] = []
    private var pendingMessages = 0
    private var commands: [EdgeCommand] = []
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var listenerResumeAt: UInt64?

    // Counted locally and published once per pass, so the hot paths touch no atomics.
    private var framesQueued = 0
    private var bytesWritten = 0
    private var messagesReceived = 0
    private var accepted = 0
    private var openDelta = 0
    private var slowDropped = 0
    private var protocolErrors = 0
    private var readPauses = 0

    init(index: Int, sockets: EdgeWorkerSockets, inbox: EdgeInbox, shared: EdgeShared) {
        self.index = index
        self.sockets = sockets
        self.inbox = inbox
        self.shared = shared
        configuration = shared.configuration
        connectionLimit = (configuration.maximumConnections + configuration.workerCount - 1) / configuration.workerCount
        let shortest = [configuration.handshakeTimeout, configuration.pingInterval, configuration.idleTimeout, configuration.closeTimeout]
            .map(\.nanoseconds).min() ?? 1_000_000_000
        sweepNanoseconds = min(250_000_000, max(5_000_000, shortest / 4))
        readBuffer = .allocate(byteCount: Self.readChunk, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: - The loop

    func run() {
        var ready = [ascent_epoll_event](repeating: ascent_epoll_event(), count: 256)
        var nextSweep = edgeNanoseconds() + sweepNanoseconds
        while !shared.stopping.load(ordering: .acquiring) {
            let before = edgeNanoseconds()
            var timeoutMilliseconds = nextSweep > before ? Int32(min(250, (nextSweep - before) / 1_000_000 + 1)) : 0
            if !paused.isEmpty { timeoutMilliseconds = min(timeoutMilliseconds, 5) }
            let count = ready.withUnsafeMutableBufferPointer {
                ascent_epoll_wait(sockets.epollFD, $0.baseAddress, Int32($0.count), timeoutMilliseconds)
            }
            if count < 0 && errno != EINTR {
                preconditionFailure("epoll_wait failed: errno \(errno)")
            }
            let now = edgeNanoseconds()
            for position in 0..<Int(max(0, count)) {
                let event = ready[position]
                switch event.token {
                case Self.listenerToken:
                    acceptConnections(now: now)
                case Self.inboxToken:
                    runCommands(now: now)
                default:
                    let slot = Int(event.token & 0xFFFF_FFFF)
                    guard slot < connections.count, let connection = connections[slot],
                          generations[slot] == UInt32(event.token >> 32) else { continue }
                    if event.events & ascent_epollout != 0 {
                        flush(connection)
                    }
                    if !connection.removed && event.events & (ascent_epollin | ascent_epollhup | ascent_epollerr) != 0 {
                        readable(connection, events: event.events, now: now)
                    }
                }
            }
            if !paused.isEmpty { resumePaused(now: now) }
            flushDirty()
            if now >= nextSweep {
                sweep(now: now)
                nextSweep = now + sweepNanoseconds
            }
            publish()
        }
        stopAll()
    }

    /// Hands this pass's events to the application and adds its counts to the shared counters,
    /// counters first, so a handler that sees an event also sees it counted.
    private func publish() {
        let counters = shared.counters
        if framesQueued != 0 { counters.framesQueued.add(framesQueued, ordering: .relaxed); framesQueued = 0 }
        if bytesWritten != 0 { counters.bytesWritten.add(bytesWritten, ordering: .relaxed); bytesWritten = 0 }
        if messagesReceived != 0 { counters.messagesReceived.add(messagesReceived, ordering: .relaxed); messagesReceived = 0 }
        if accepted != 0 { counters.acceptedConnections.add(accepted, ordering: .relaxed); accepted = 0 }
        if openDelta != 0 { counters.openConnections.add(openDelta, ordering: .relaxed); openDelta = 0 }
        if slowDropped != 0 { counters.slowClientsDropped.add(slowDropped, ordering: .relaxed); slowDropped = 0 }
        if protocolErrors != 0 { counters.protocolErrors.add(protocolErrors, ordering: .relaxed); protocolErrors = 0 }
        if readPauses != 0 { counters.readPauses.add(readPauses, ordering: .relaxed); readPauses = 0 }
        if !pendingEvents.isEmpty {
            // The queue's mutex orders the counter updates above before the handler's reads.
            shared.events.push(pendingEvents, messages: pendingMessages)
            pendingEvents.removeAll(keepingCapacity: true)
            pendingMessages = 0
        }
    }

    /// On stop: a best-effort close frame (1001) in one write to each open client, then close all.
    private func stopAll() {
        let goingAway = WebSocketFrame.close(.goingAway, reason: "server stopping")
        for case let connection? in connections where !connection.removed {
            if connection.phase == .open {
                outputs[connection.slot].bytes.append(contentsOf: goingAway)
                let start = outputs[connection.slot].start
                _ = outputs[connection.slot].bytes.withUnsafeBytes {
                    send(connection.fd, $0.baseAddress! + start, $0.count - start, Int32(MSG_NOSIGNAL))
                }
            }
            close(connection.fd)
            connection.removed = true
        }
        openDelta -= openCount
        openCount = 0
        publish()
        sockets.close()
    }

    // MARK: - Accepting

    private func acceptConnections(now: UInt64) {
        for _ in 0..<Self.acceptsPerPass {
            let fd = ascent_accept(sockets.listenFD)
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code != EAGAIN && code != EWOULDBLOCK {
                    // Out of descriptors or memory: the pending connection stays readable, so stop
                    // watching the listener for a moment instead of spinning on it.
                    _ = ascent_epoll_remove(sockets.epollFD, sockets.listenFD)
                    listenerResumeAt = now + 100_000_000
                }
                return
            }
            guard openCount < connectionLimit else {
                let answer = WebSocketHandshake.serialize(HTTPResponse(status: 503, text: "too many connections\n"), includeBody: true)
                _ = answer.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            _ = ascent_set_nodelay(fd)
            if var size = configuration.socketSendBufferBytes.map(Int32.init) {
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
            } else {
                slot = connections.count
                connections.append(nil)
                generations.append(0)
                outputs.append(EdgeOutput())
            }
            let generation = generations[slot]
            let connection = EdgeConnection(fd: fd, slot: slot, id: WebSocketConnectionID(worker: index, slot: slot, generation: generation), now: now)
            guard ascent_epoll_add(sockets.epollFD, fd, ascent_epollin, token(connection)) == 0 else {
                close(fd)
                freeSlots.append(slot)
                continue
            }
            connections[slot] = connection
            outputs[slot] = EdgeOutput(fd: fd)
            openCount += 1
            openDelta += 1
            accepted += 1
        }
    }

    private func token(_ connection: EdgeConnection) -> UInt64 {
        UInt64(connection.id.generation) << 32 | UInt64(connection.slot)
    }

    private func updateInterest(_ connection: EdgeConnection) {
        let events = (connection.readPaused ? 0 : ascent_epollin) | (outputs[connection.slot].watchingWritable ? ascent_epollout : 0)
        _ = ascent_epoll_modify(sockets.epollFD, connection.fd, events, token(connection))
    }

    // MARK: - Reading

    private func readable(_ connection: EdgeConnection, events: UInt32, now: UInt64) {
        if connection.readPaused {
            // The peer reset or vanished while we were not reading: nothing more can arrive.
            if events & (ascent_epollhup | ascent_epollerr) != 0 {
                reportClosed(connection, .abnormal, reason: "connection lost")
                remove(connection)
            }
            return
        }
        for _ in 0..<Self.readsPerEvent {
            var room = Self.readChunk
            if connection.phase == .handshake {
                room = min(room, configuration.maximumHeadBytes + 1 - connection.input.count)
            }
            let received = read(connection.fd, readBuffer.baseAddress, room)
            if received == 0 {
                if connection.phase != .closing {
                    reportClosed(connection, .abnormal, reason: "connection closed without a close frame")
                }
                remove(connection)
                return
            }
            if received < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                reportClosed(connection, .abnormal, reason: "read failed: errno \(code)")
                remove(connection)
                return
            }
            connection.lastInput = now
            connection.pingOutstanding = false
            if connection.phase == .closing { continue }
            connection.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<received]))
            process(connection, now: now)
            if connection.removed || connection.readPaused { return }
            if received < room { return }
        }
    }

    private func process(_ connection: EdgeConnection, now: UInt64) {
        if connection.phase == .handshake {
            handshake(connection, now: now)
        }
        if connection.phase == .open && !connection.input.isEmpty {
            frames(connection, now: now)
        }
    }

    private func handshake(_ connection: EdgeConnection, now: UInt64) {
        let outcome = HTTPRequestParser.parse(connection.input[...], maximumHeadBytes: configuration.maximumHeadBytes)
        switch outcome {
        case .incomplete:
            return
        case .tooLarge:
            answer(connection, HTTPResponse(status: 431, text: "request head larger than \(configuration.maximumHeadBytes) bytes\n"), includeBody: true, now: now)
        case .malformed(let reason):
            answer(connection, HTTPResponse(status: 400, text: "bad request: \(reason)\n"), includeBody: true, now: now)
        case .request(let request, let consumed, _):
            let upgradeHere = configuration.webSocketPath.map { $0 == request.path } ?? true
            if WebSocketHandshake.isUpgrade(request) && upgradeHere {
                switch WebSocketHandshake.decide(request, allowedOrigins: configuration.allowedOrigins) {
                case .reject(let response):
                    answer(connection, response, includeBody: true, now: now)
                case .accept(let bytes):
                    connection.input.removeFirst(consumed)
                    connection.phase = .open
                    connection.openReported = true
                    pendingEvents.append(.opened(connection.id, request))
                    enqueue(bytes, on: connection)
                }
                return
            }
            let response: HTTPResponse
            if let route = shared.routes.withLock({ $0[request.path] }) {
                if request.method == "GET" || request.method == "HEAD" {
                    response = route(request)
                } else {
                    response = HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD")], text: "method not allowed\n")
                }
            } else if WebSocketHandshake.isUpgrade(request) {
                response = HTTPResponse(status: 404, text: "no WebSocket endpoint at \(request.path)\n")
            } else {
                response = HTTPResponse(status: 404, text: "not found\n")
            }
            answer(connection, response, includeBody: request.method != "HEAD", now: now)
        }
    }

    /// Writes a plain HTTP answer and closes the connection after it. The answer bypasses the
    /// high-water mark (a page may be larger than a client's frame backlog may grow); its size is
    /// the route's to bound, and the close timeout bounds how long it may take to go out.
    private func answer(_ connection: EdgeConnection, _ response: HTTPResponse, includeBody: Bool, now: UInt64) {
        outputs[connection.slot].bytes.append(contentsOf: WebSocketHandshake.serialize(response, includeBody: includeBody))
        finish(connection, now: now)
    }

    /// Parses and handles every complete frame in the input.
    private func frames(_ connection: EdgeConnection, now: UInt64) {
        var offset = 0
        defer {
            if !connection.removed && connection.phase == .open {
                if offset == connection.input.count {
                    connection.input.removeAll(keepingCapacity: connection.input.capacity <= 4096)
                } else if offset > 0 {
                    connection.input.removeFirst(offset)
                }
            }
        }
        let maximum = configuration.maximumMessageBytes
        while connection.phase == .open && offset < connection.input.count {
            let allowance = connection.messageIsText == nil ? maximum : maximum - connection.message.count
            let parsed = connection.input.withUnsafeBytes {
                WebSocketFrameHeader.parse(UnsafeRawBufferPointer(rebasing: $0[offset...]), maximumPayload: allowance)
            }
            let header: WebSocketFrameHeader
            switch parsed {
            case .incomplete:
                return
            case .violation(let code, let reason):
                fail(connection, code, reason, now: now)
                return
            case .frame(let parsedHeader):
                header = parsedHeader
            }
            let total = header.headerLength + header.payloadLength
            guard connection.input.count - offset >= total else { return }
            if header.fin && !header.opcode.isControl && !shared.events.hasRoomForMessage(unpublished: pendingMessages) {
                pause(connection)
                return
            }
            let payloadStart = offset + header.headerLength
            connection.input.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress! + payloadStart
                WebSocketFrameHeader.unmask(base, into: base, count: header.payloadLength, mask: header.mask)
            }
            offset += total
            let payload = connection.input[payloadStart..<(payloadStart + header.payloadLength)]
            handleFrame(connection, header, payload, now: now)
        }
    }

    private func handleFrame(_ connection: EdgeConnection, _ header: WebSocketFrameHeader, _ payload: ArraySlice<UInt8>, now: UInt64) {
        switch header.opcode {
        case .text, .binary:
            guard connection.messageIsText == nil else {
                fail(connection, .protocolError, "new message before the fragmented one ended", now: now)
                return
            }
            let isText = header.opcode == .text
            var validator = UTF8Validator()
            if isText {
                let valid = payload.withUnsafeBytes { validator.feed($0) }
                guard valid, !header.fin || validator.isComplete else {
                    fail(connection, .invalidPayload, "text is not valid UTF-8", now: now)
                    return
                }
            }
            if header.fin {
                deliver(connection, isText: isText, Array(payload))
            } else {
                connection.messageIsText = isText
                connection.message = Array(payload)
                connection.utf8 = validator
            }
        case .continuation:
            guard let isText = connection.messageIsText else {
                fail(connection, .protocolError, "continuation frame without a message", now: now)
                return
            }
            if isText {
                let valid = payload.withUnsafeBytes { connection.utf8.feed($0) }
                guard valid, !header.fin || connection.utf8.isComplete else {
                    fail(connection, .invalidPayload, "text is not valid UTF-8", now: now)
                    return
                }
            }
            connection.message.append(contentsOf: payload)
            if header.fin {
                let message = connection.message
                connection.messageIsText = nil
                connection.message = []
                connection.utf8 = UTF8Validator()
                deliver(connection, isText: isText, message)
            }
        case .ping:
            enqueue(WebSocketFrame.encode(.pong, payload), on: connection)
        case .pong:
            break
        case .close:
            peerClosed(connection, payload, now: now)
        }
    }

    private func deliver(_ connection: EdgeConnection, isText: Bool, _ bytes: [UInt8]) {
        pendingEvents.append(.message(connection.id, WebSocketMessage(isText: isText, bytes: bytes)))
        pendingMessages += 1
        messagesReceived += 1
    }

    /// The client sent a close frame: check it, echo its code, report it, and finish.
    private func peerClosed(_ connection: EdgeConnection, _ payload: ArraySlice<UInt8>, now: UInt64) {
        var code = WebSocketCloseCode.noStatus
        var reason = ""
        if payload.count == 1 {
            fail(connection, .protocolError, "close frame with a one-byte payload", now: now)
            return
        }
        if payload.count >= 2 {
            code = WebSocketCloseCode(rawValue: UInt16(payload[payload.startIndex]) << 8 | UInt16(payload[payload.startIndex + 1]))
            guard code.isValidOnWire else {
                fail(connection, .protocolError, "close code \(code) may not be sent", now: now)
                return
            }
            guard let text = String(validating: payload.dropFirst(2), as: UTF8.self) else {
                fail(connection, .invalidPayload, "close reason is not valid UTF-8", now: now)
                return
            }
            reason = text
        }
        enqueue(WebSocketFrame.close(code == .noStatus ? .normal : code), on: connection)
        reportClosed(connection, code, reason: reason.isEmpty ? "client closed" : "client closed: \(reason)")
        if !connection.removed { finish(connection, now: now) }
    }

    /// Closes for a protocol violation: sends the close frame with `code`, reports it, finishes.
    private func fail(_ connection: EdgeConnection, _ code: WebSocketCloseCode, _ reason: String, now: UInt64) {
        protocolErrors += 1
        enqueue(WebSocketFrame.close(code, reason: reason), on: connection)
        reportClosed(connection, code, reason: "server closed: \(reason)")
        if !connection.removed { finish(connection, now: now) }
    }

    /// Enters the closing phase: no more frames in or out; the queued output (ending in a close
    /// frame or an HTTP answer) is flushed, then the write side is shut.
    private func finish(_ connection: EdgeConnection, now: UInt64) {
        connection.phase = .closing
        outputs[connection.slot].shutdownAfterFlush = true
        connection.deadline = now + configuration.closeTimeout.nanoseconds
        connection.input = []
        connection.message = []
        connection.messageIsText = nil
        leaveGroups(connection)
        if connection.readPaused {
            connection.readPaused = false
            updateInterest(connection)
        }
        markDirty(connection.slot)
    }

    private func pause(_ connection: EdgeConnection) {
        connection.readPaused = true
        paused.append(connection)
        readPauses += 1
        updateInterest(connection)
    }

    private func resumePaused(now: UInt64) {
        guard shared.events.hasRoomForMessage(unpublished: pendingMessages) else { return }
        let waiting = paused
        paused = []
        for connection in waiting where !connection.removed && connection.readPaused {
            connection.readPaused = false
            updateInterest(connection)
            process(connection, now: now)
        }
    }

    // MARK: - Writing

    /// Appends a frame (or HTTP bytes) to a connection's output; cuts the client off when the
    /// output passes the high-water mark.
    private func enqueue(_ bytes: [UInt8], on connection: EdgeConnection) {
        guard connection.phase != .closing else { return }
        let slot = connection.slot
        outputs[slot].bytes.append(contentsOf: bytes)
        framesQueued += 1
        if outputs[slot].pending > configuration.outputHighWaterBytes {
            dropSlowClient(connection)
            return
        }
        markDirty(slot)
    }

    /// Appends one encoded frame to every member of a group: the hot path of a broadcast. It
    /// runs over an unsafe buffer of the outputs, so there is no reference counting and no
    /// exclusivity check per connection; clients past the high-water mark are cut off afterwards.
    private func broadcast(_ frame: [UInt8], to members: [Int]) {
        let highWater = configuration.outputHighWaterBytes
        var tooSlow: [Int] = []
        var newlyDirty: [Int] = []
        newlyDirty.reserveCapacity(members.count)
        outputs.withUnsafeMutableBufferPointer { outputs in
            frame.withUnsafeBufferPointer { frame in
                for slot in members {
                    outputs[slot].bytes.append(contentsOf: frame)
                    if outputs[slot].bytes.count - outputs[slot].start > highWater {
                        tooSlow.append(slot)
                    } else if !outputs[slot].isDirty {
                        outputs[slot].isDirty = true
                        newlyDirty.append(slot)
                    }
                }
            }
        }
        framesQueued += members.count
        dirty.append(contentsOf: newlyDirty)
        for slot in tooSlow {
            if let connection = connections[slot], !connection.removed { dropSlowClient(connection) }
        }
    }

    private func dropSlowClient(_ connection: EdgeConnection) {
        slowDropped += 1
        reportClosed(connection, .policyViolation, reason: "client too slow: output passed \(configuration.outputHighWaterBytes) bytes")
        remove(connection)
    }

    private func markDirty(_ slot: Int) {
        if !outputs[slot].isDirty {
            outputs[slot].isDirty = true
            dirty.append(slot)
        }
    }

    /// One write per dirty connection, over an unsafe buffer of the outputs as in `broadcast`;
    /// connections that block or fail are handled afterwards.
    private func flushDirty() {
        guard !dirty.isEmpty else { return }
        var blocked: [Int] = []
        var failed: [(slot: Int, code: Int32)] = []
        var written = 0
        outputs.withUnsafeMutableBufferPointer { outputs in
            for slot in dirty where outputs[slot].isDirty {
                outputs[slot].isDirty = false
                if outputs[slot].watchingWritable { continue }
                switch outputs[slot].write(written: &written) {
                case .drained: break
                case .blocked: blocked.append(slot)
                case .failed(let code): failed.append((slot, code))
                }
            }
        }
        bytesWritten += written
        dirty.removeAll(keepingCapacity: dirty.capacity <= 65536)
        for slot in blocked {
            guard let connection = connections[slot], !connection.removed else { continue }
            outputs[slot].watchingWritable = true
            updateInterest(connection)
        }
        for (slot, code) in failed {
            guard let connection = connections[slot], !connection.removed else { continue }
            reportClosed(connection, .abnormal, reason: "write failed: errno \(code)")
            remove(connection)
        }
    }

    /// Writes one connection's output (on EPOLLOUT), registering or dropping EPOLLOUT as needed.
    private func flush(_ connection: EdgeConnection) {
        let slot = connection.slot
        switch outputs[slot].write(written: &bytesWritten) {
        case .drained:
            if outputs[slot].watchingWritable {
                outputs[slot].watchingWritable = false
                updateInterest(connection)
            }
        case .blocked:
            if !outputs[slot].watchingWritable {
                outputs[slot].watchingWritable = true
                updateInterest(connection)
            }
        case .failed(let code):
            reportClosed(connection, .abnormal, reason: "write failed: errno \(code)")
            remove(connection)
        }
    }

    // MARK: - Lifecycle

    private func reportClosed(_ connection: EdgeConnection, _ code: WebSocketCloseCode, reason: String) {
        guard connection.openReported && !connection.closeReported else { return }
        connection.closeReported = true
        pendingEvents.append(.closed(connection.id, code, reason: reason))
    }

    /// Closes the socket and frees the slot (bumping its generation so stale IDs miss).
    private func remove(_ connection: EdgeConnection) {
        guard !connection.removed else { return }
        reportClosed(connection, .abnormal, reason: "connection removed")
        connection.removed = true
        leaveGroups(connection)
        close(connection.fd)
        connections[connection.slot] = nil
        outputs[connection.slot] = EdgeOutput()
        generations[connection.slot] &+= 1
        freeSlots.append(connection.slot)
        openCount -= 1
        openDelta -= 1
    }

    private func leaveGroups(_ connection: EdgeConnection) {
        for group in connection.groups {
            groups[group]?.remove(connection.slot)
            if groups[group]?.isEmpty == true { groups[group] = nil }
        }
        connection.groups = []
    }

    /// Timers: handshake deadline, ping after silence, idle close, closing deadline, and the
    /// listener's pause after running out of descriptors.
    private func sweep(now: UInt64) {
        if let resumeAt = listenerResumeAt, now >= resumeAt {
            listenerResumeAt = nil
            _ = ascent_epoll_add(sockets.epollFD, sockets.listenFD, ascent_epollin, Self.listenerToken)
        }
        let handshakeLimit = configuration.handshakeTimeout.nanoseconds
        let pingAfter = configuration.pingInterval.nanoseconds
        let idleLimit = configuration.idleTimeout.nanoseconds
        for case let connection? in connections where !connection.removed {
            switch connection.phase {
            case .handshake:
                if now >= connection.acceptedAt + handshakeLimit { remove(connection) }
            case .open:
                // A client we stopped reading (the application is behind) is not idle.
                if connection.readPaused { connection.lastInput = now }
                let silence = now >= connection.lastInput ? now - connection.lastInput : 0
                if silence >= idleLimit {
                    enqueue(WebSocketFrame.close(.goingAway, reason: "idle timeout"), on: connection)
                    reportClosed(connection, .goingAway, reason: "server closed: idle timeout")
                    if !connection.removed { finish(connection, now: now) }
                } else if silence >= pingAfter && !connection.pingOutstanding {
                    connection.pingOutstanding = true
                    enqueue(WebSocketFrame.encode(.ping, [UInt8]()), on: connection)
                }
            case .closing:
                if now >= connection.deadline { remove(connection) }
            }
        }
    }

    // MARK: - Commands from other threads

    private func runCommands(now: UInt64) {
        inbox.takeAll(into: &commands)
        for command in commands {
            switch command {
            case .send(let id, let frame):
                if let connection = lookup(id), connection.phase == .open { enqueue(frame, on: connection) }
            case .broadcast(let group, let frame):
                if let members = groups[group]?.slots() { broadcast(frame, to: members) }
            case .subscribe(let id, let group):
                if let connection = lookup(id), connection.phase == .open, !connection.groups.contains(group) {
                    connection.groups.append(group)
                    groups[group, default: EdgeGroup()].insert(connection.slot)
                }
            case .unsubscribe(let id, let group):
                if let connection = lookup(id), let position = connection.groups.firstIndex(of: group) {
                    connection.groups.remove(at: position)
                    groups[group]?.remove(connection.slot)
                    if groups[group]?.isEmpty == true { groups[group] = nil }
                }
            case .close(let id, let code, let reason):
                if let connection = lookup(id), connection.phase == .open {
                    enqueue(WebSocketFrame.close(code, reason: reason), on: connection)
                    reportClosed(connection, code, reason: "server closed: \(reason)")
                    if !connection.removed { finish(connection, now: now) }
                }
            }
        }
        commands.removeAll(keepingCapacity: commands.capacity <= 65536)
    }

    private func lookup(_ id: WebSocketConnectionID) -> EdgeConnection? {
        let slot = id.slot
        guard id.worker == index, slot < connections.count, generations[slot] == id.generation,
              let connection = connections[slot], !connection.removed else { return nil }
        return connection
    }
}
