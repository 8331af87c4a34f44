import AscentEdge
import Glibc
import Testing

/// Connections that end badly, idle clients, and stopping the server.
@Suite struct LifecycleTests {
    @Test func truncatedFrameThenDisconnectIsReportedAsAbnormal() throws {
        let (server, recorder) = try makeServer(echo: true)
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        let frame = client.encodeFrame(opcode: 1, payload: Array("never finished".utf8))
        try client.sendRaw(Array(frame.prefix(7)))
        client.closeSocket()
        #expect(recorder.awaitCloseCode() == .abnormal)
        #expect(waitUntil { server.statistics.openConnections == 0 })
        // The server still serves.
        let next = try TestWebSocketClient.open(port: server.port)
        try next.sendText("still here")
        #expect(try next.readFrame().text == "still here")
    }

    @Test func abruptDisconnectsAreAllReportedOnce() throws {
        let (server, recorder) = try makeServer(echo: true)
        defer { server.stop() }
        var clients: [TestWebSocketClient] = []
        for _ in 0..<50 { clients.append(try TestWebSocketClient.open(port: server.port)) }
        #expect(waitUntil { recorder.openedIDs.count == 50 })
        for (index, client) in clients.enumerated() {
            if index % 3 == 0 {
                client.reset()
            } else if index % 3 == 1 {
                try client.sendRaw([0x81, 0xFE, 0x12])  // half a header
                client.closeSocket()
            } else {
                client.closeSocket()
            }
        }
        #expect(waitUntil { recorder.closes.count == 50 })
        #expect(Set(recorder.closes.map(\.0)) == Set(recorder.openedIDs))
        #expect(recorder.closes.allSatisfy { $0.1 == .abnormal })
        #expect(waitUntil { server.statistics.openConnections == 0 })
        // Sending to a connection that is gone is ignored, not misdelivered.
        let gone = recorder.openedIDs
        let next = try TestWebSocketClient.open(port: server.port)
        #expect(waitUntil { recorder.openedIDs.count == 51 })
        for id in gone { server.send(WebSocketFrame.text("ghost"), to: id) }
        try next.sendText("live")
        #expect(try next.readFrame().text == "live")
    }

    @Test func garbageAfterTheHandshakeIsAProtocolError() throws {
        let (server, recorder) = try makeServer()
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(try client.readCloseCode() == 1002)
        #expect(recorder.awaitCloseCode() == .protocolError)
    }

    @Test func idleClientIsPingedThenClosed() throws {
        let (server, recorder) = try makeServer {
            $0.pingInterval = .milliseconds(100)
            $0.idleTimeout = .milliseconds(500)
        }
        defer { server.stop() }
        let clock = ContinuousClock()
        let started = clock.now
        let client = try TestWebSocketClient.open(port: server.port)
        let ping = try client.readFrame()
        #expect(ping.opcode == 9)
        // Not answering: the server gives up after the idle timeout.
        #expect(try client.readCloseCode() == 1001)
        #expect(clock.now - started >= .milliseconds(450))
        #expect(recorder.awaitCloseCode() == .goingAway)
    }

    @Test func answeringPingsKeepsAClientOpen() throws {
        let (server, recorder) = try makeServer {
            $0.pingInterval = .milliseconds(50)
            $0.idleTimeout = .milliseconds(300)
        }
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        let clock = ContinuousClock()
        let until = clock.now + .milliseconds(900)
        var pings = 0
        while clock.now < until {
            let frame = try client.readFrame()
            #expect(frame.opcode == 9)
            pings += 1
            try client.sendFrame(opcode: 0xA, payload: frame.payload)
        }
        #expect(pings >= 3)
        #expect(recorder.closes.isEmpty)
    }

    @Test func stopIsPromptAndClosesClients() throws {
        let (server, _) = try makeServer()
        var clients: [TestWebSocketClient] = []
        for _ in 0..<20 { clients.append(try TestWebSocketClient.open(port: server.port)) }
        #expect(waitUntil { server.statistics.openConnections == 20 })
        let clock = ContinuousClock()
        let started = clock.now
        server.stop()
        // Below the 2 s close timeout stop() must not wait out; slack for a loaded machine.
        #expect(clock.now - started < .milliseconds(1_500))
        for client in clients {
            #expect(try client.readCloseCode() == 1001)
            #expect(client.waitForEndOfStream())
        }
        // The port is free again.
        #expect((try? TestWebSocketClient(port: server.port)) == nil)
    }

    @Test func connectionLimitRefusesTheExtraClient() throws {
        let (server, _) = try makeServer {
            $0.workerCount = 1
            $0.maximumConnections = 3
        }
        defer { server.stop() }
        var clients: [TestWebSocketClient] = []
        for _ in 0..<3 { clients.append(try TestWebSocketClient.open(port: server.port)) }
        let extra = try TestWebSocketClient(port: server.port)
        #expect(try extra.readHead().status == 503)
        #expect(server.statistics.openConnections == 3)
    }
}
