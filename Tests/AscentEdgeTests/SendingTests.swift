import AscentEdge
import Glibc
import Synchronization
import Testing

/// Output: coalescing, the high-water mark, broadcast groups and backpressure on the event queue.
@Suite struct SendingTests {
    @Test func broadcastReachesEverySubscriberExactlyOnceInOrder() throws {
        let (server, recorder) = try makeServer { $0.workerCount = 3 }
        defer { server.stop() }
        let table: UInt64 = 42
        var clients: [TestWebSocketClient] = []
        for _ in 0..<500 { clients.append(try TestWebSocketClient.open(port: server.port)) }
        let outsider = try TestWebSocketClient.open(port: server.port, path: "/ws?outsider")
        #expect(waitUntil { recorder.openedIDs.count == 501 })
        // Workers report opens independently, so find the outsider by its request, not by order.
        let outsiderID = try #require(recorder.all.compactMap { event -> WebSocketConnectionID? in
            if case .opened(let id, let request) = event, request.query == "outsider" { return id }
            return nil
        }.first)
        for id in recorder.openedIDs where id != outsiderID { server.subscribe(id, to: table) }
        let count = 40
        for tick in 0..<count {
            #expect(server.broadcast(WebSocketFrame.text("tick \(tick)"), to: table))
        }
        server.send(WebSocketFrame.text("just you"), to: outsiderID)
        // Each client must read exactly ticks 0..<count, in order; then nothing more is pending.
        for (index, client) in clients.enumerated() {
            for tick in 0..<count {
                let frame = try client.readFrame()
                #expect(frame.text == "tick \(tick)", "client \(index)")
            }
        }
        #expect(try outsider.readFrame().text == "just you")
        // A marker sent after the ticks is the next frame, so no tick was duplicated.
        server.broadcast(WebSocketFrame.text("end"), to: table)
        for client in clients.prefix(50) { #expect(try client.readFrame().text == "end") }
        #expect(server.statistics.slowClientsDropped == 0)
    }

    @Test func outputThatDoesNotFitTheSocketWaitsForWritableAndArrivesWhole() throws {
        // 400 KB for one client whose socket buffers hold a few KB: most of it must wait in the
        // output buffer for EPOLLOUT, and all of it must then arrive, in order.
        let (server, recorder) = try makeServer {
            $0.workerCount = 1
            $0.socketSendBufferBytes = 4096
        }
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port, receiveBufferBytes: 4096)
        #expect(waitUntil { recorder.openedIDs.count == 1 })
        let id = recorder.openedIDs[0]
        let count = 400
        for index in 0..<count {
            var payload = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1024)
            withUnsafeBytes(of: UInt32(index).bigEndian) { payload.replaceSubrange(0..<4, with: $0) }
            #expect(server.send(WebSocketFrame.encode(.binary, payload), to: id))
        }
        for index in 0..<count {
            let frame = try client.readFrame()
            let number = frame.payload.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(number == index && frame.payload.count == 1024 && frame.payload.last == UInt8(truncatingIfNeeded: index))
        }
        #expect(server.statistics.slowClientsDropped == 0)
    }

    @Test func unsubscribedClientStopsReceiving() throws {
        let (server, recorder) = try makeServer()
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        #expect(waitUntil { recorder.openedIDs.count == 1 })
        let id = recorder.openedIDs[0]
        server.subscribe(id, to: 1)
        server.subscribe(id, to: 2)
        server.broadcast(WebSocketFrame.text("a"), to: 1)
        server.unsubscribe(id, from: 1)
        server.broadcast(WebSocketFrame.text("b"), to: 1)
        server.broadcast(WebSocketFrame.text("c"), to: 2)
        #expect(try client.readFrame().text == "a")
        #expect(try client.readFrame().text == "c")
    }

    @Test func slowReaderIsCutOffWhileOthersKeepReceiving() throws {
        let highWater = 256 * 1024
        let (server, recorder) = try makeServer {
            $0.workerCount = 1
            $0.outputHighWaterBytes = highWater
            $0.socketSendBufferBytes = 16 * 1024
        }
        defer { server.stop() }
        let table: UInt64 = 7
        // Never read from: kept alive (and its socket open) until the end of the test.
        let slow = try TestWebSocketClient.open(port: server.port, receiveBufferBytes: 4096)
        defer { withExtendedLifetime(slow) {} }
        let fast = try TestWebSocketClient.open(port: server.port)
        #expect(waitUntil { recorder.openedIDs.count == 2 })
        let slowID = recorder.openedIDs[0]
        for id in recorder.openedIDs { server.subscribe(id, to: table) }

        // Broadcast 1 KB frames in batches the fast reader keeps up with, until the slow one
        // (which never reads) is cut off; bounded so a broken server fails instead of looping.
        let payload = [UInt8](repeating: 0x61, count: 1024)
        var sent = 0
        while recorder.closes.isEmpty && sent < 4000 {
            for _ in 0..<32 {
                var frame = payload
                withUnsafeBytes(of: UInt32(sent).bigEndian) { frame.replaceSubrange(0..<4, with: $0) }
                server.broadcast(WebSocketFrame.encode(.binary, frame), to: table)
                sent += 1
            }
            for expected in (sent - 32)..<sent {
                let frame = try fast.readFrame()
                let number = frame.payload.prefix(4).reduce(0) { $0 << 8 | Int($1) }
                #expect(number == expected)
            }
        }
        #expect(waitUntil { recorder.closes.count == 1 })
        #expect(recorder.closes.first?.0 == slowID)
        #expect(recorder.closes.first?.1 == .policyViolation)
        #expect(server.statistics.slowClientsDropped == 1)
        // Cut off near the mark: not before it, and not after much more than it plus socket buffers.
        #expect(sent * 1028 > highWater)
        #expect(sent * 1028 < highWater + 2 * 1024 * 1024)
        // The fast client still gets what follows.
        server.broadcast(WebSocketFrame.text("after"), to: table)
        #expect(try fast.readFrame().text == "after")
    }

    @Test func fullEventQueuePausesReadingWithoutLosingMessages() throws {
        // A handler that blocks until released: with a queue of 4, workers must stop reading.
        let gate = Mutex(false)
        let received = Mutex<[String]>([])
        var configuration = WebSocketServer.Configuration()
        configuration.workerCount = 1
        configuration.eventQueueLimit = 4
        let server = try WebSocketServer(port: 0, configuration: configuration)
        defer { server.stop() }
        server.start { batch in
            while !gate.withLock({ $0 }) { usleep(1000) }
            for event in batch {
                if case .message(_, let message) = event { received.withLock { $0.append(message.text) } }
            }
        }
        let client = try TestWebSocketClient.open(port: server.port)
        let total = 300
        for index in 0..<total { try client.sendText("m\(index)") }
        #expect(waitUntil { server.statistics.readPauses > 0 })
        gate.withLock { $0 = true }
        #expect(waitUntil { received.withLock { $0.count } == total })
        #expect(received.withLock { $0 } == (0..<total).map { "m\($0)" })
    }
}
