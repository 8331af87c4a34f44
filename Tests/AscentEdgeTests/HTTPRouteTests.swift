import AscentEdge
import AscentRuntime
import Testing

@Suite struct HTTPRouteTests {
    @Test func routesAnswerOnTheWebSocketPort() throws {
        let (server, _) = try makeServer { $0.webSocketPath = "/ws" }
        defer { server.stop() }
        server.route("/healthz") { _ in HTTPResponse(status: 200, text: "ok\n") }
        server.route("/") { request in HTTPResponse(status: 200, contentType: "text/html", text: "<p>\(request.query ?? "")</p>") }

        let health = try TestWebSocketClient(port: server.port)
        try health.sendRaw(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let (status, headers) = try health.readHead()
        #expect(status == 200)
        #expect(headers["content-length"] == "3")
        #expect(String(decoding: try health.readToEnd(), as: UTF8.self) == "ok\n")

        let page = try TestWebSocketClient(port: server.port)
        try page.sendRaw(Array("GET /?a=1 HTTP/1.1\r\n\r\n".utf8))
        #expect(try page.readHead().headers["content-type"] == "text/html")
        #expect(String(decoding: try page.readToEnd(), as: UTF8.self) == "<p>a=1</p>")

        let head = try TestWebSocketClient(port: server.port)
        try head.sendRaw(Array("HEAD /healthz HTTP/1.1\r\n\r\n".utf8))
        #expect(try head.readHead().status == 200)
        #expect(try head.readToEnd().isEmpty)

        let missing = try TestWebSocketClient(port: server.port)
        try missing.sendRaw(Array("GET /nope HTTP/1.1\r\n\r\n".utf8))
        #expect(try missing.readHead().status == 404)

        let post = try TestWebSocketClient(port: server.port)
        try post.sendRaw(Array("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(try post.readHead().status == 405)

        // An upgrade at a path other than the WebSocket path is not upgraded.
        let elsewhere = try TestWebSocketClient(port: server.port)
        #expect(try elsewhere.handshake(path: "/other").status == 404)
        let upgraded = try TestWebSocketClient(port: server.port)
        #expect(try upgraded.handshake(path: "/ws").status == 101)
    }

    @Test func twoServersShareThePortAndTheConnections() throws {
        let (first, firstEvents) = try makeServer()
        defer { first.stop() }
        let second = try WebSocketServer(host: "127.0.0.1", port: first.port)
        defer { second.stop() }
        #expect(second.port == first.port)
        let secondEvents = EventRecorder()
        second.start { secondEvents.record($0) }
        // The kernel hashes each connection to one of the four listeners (two per server); with
        // 64 connections the chance that one server gets none is about 2^-64.
        var clients: [TestWebSocketClient] = []
        for _ in 0..<64 { clients.append(try TestWebSocketClient.open(port: first.port)) }
        #expect(waitUntil { firstEvents.openedIDs.count + secondEvents.openedIDs.count == 64 })
        #expect(firstEvents.openedIDs.count > 0)
        #expect(secondEvents.openedIDs.count > 0)
    }
}

@Suite struct LargeRouteTests {
    @Test func aPageLargerThanTheHighWaterMarkIsServedWhole() throws {
        let (server, _) = try makeServer { $0.outputHighWaterBytes = 4096 }
        defer { server.stop() }
        let page = [UInt8](repeating: 0x7A, count: 300_000)
        server.route("/") { _ in HTTPResponse(status: 200, contentType: "text/html", body: page) }
        let client = try TestWebSocketClient(port: server.port)
        try client.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(try client.readHead().status == 200)
        #expect(try client.readToEnd() == page)
    }

    @Test func stopFromTheEventHandlerDoesNotDeadlock() throws {
        var configuration = WebSocketServer.Configuration()
        configuration.workerCount = 1
        let server = try WebSocketServer(port: 0, configuration: configuration)
        server.start { [weak server] events in
            for event in events {
                if case .message = event { server?.stop() }
            }
        }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendText("stop please")
        #expect(try client.readCloseCode() == 1001)
    }
}

@Suite struct EdgeMetricsTests {
    @Test func countersAppearOnTheMetricsRoute() throws {
        let (server, recorder) = try makeServer(echo: true)
        defer { server.stop() }
        let registry = MetricsRegistry()
        server.registerMetrics(in: registry)
        server.route("/metrics") { _ in HTTPResponse(status: 200, text: registry.render()) }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendText("one")
        _ = try client.readFrame()
        #expect(waitUntil { recorder.messages.count == 1 })
        let scrape = try TestWebSocketClient(port: server.port)
        try scrape.sendRaw(Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
        #expect(try scrape.readHead().status == 200)
        let text = String(decoding: try scrape.readToEnd(), as: UTF8.self)
        #expect(text.contains("ascent_edge_messages_received_total 1"), "\(text)")
        #expect(text.contains("ascent_edge_connections 2"), "\(text)")
    }
}
