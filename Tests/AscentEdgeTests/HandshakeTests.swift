import AscentEdge
import AscentRuntime
import Testing

@Suite struct HandshakeTests {
    @Test func acceptValueMatchesTheRFCExample() {
        // RFC 6455 section 1.3.
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func validUpgradeIsAcceptedAndReported() throws {
        let (server, recorder) = try makeServer()
        defer { server.stop() }
        let client = try TestWebSocketClient(port: server.port)
        let (status, headers) = try client.handshake(path: "/ws?table=7", extraHeaders: ["Origin: https://example.test"])
        #expect(status == 101)
        #expect(headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(headers["upgrade"]?.lowercased() == "websocket")
        #expect(waitUntil { recorder.openedIDs.count == 1 })
        guard case .opened(_, let request)? = recorder.all.first else {
            Issue.record("first event is not opened")
            return
        }
        #expect(request.path == "/ws")
        #expect(request.query == "table=7")
        #expect(request.header("origin") == "https://example.test")
    }

    @Test func badUpgradesAreRefusedWithTheRightStatus() throws {
        let (server, recorder) = try makeServer { $0.allowedOrigins = ["https://good.test"] }
        defer { server.stop() }
        let origin = "Origin: https://good.test"

        let post = try TestWebSocketClient(port: server.port)
        #expect(try post.handshake(method: "POST", extraHeaders: [origin]).status == 400)

        let oldVersion = try TestWebSocketClient(port: server.port)
        let (status, headers) = try oldVersion.handshake(extraHeaders: [origin], version: "8")
        #expect(status == 426)
        #expect(headers["sec-websocket-version"] == "13")

        let shortKey = try TestWebSocketClient(port: server.port)
        #expect(try shortKey.handshake(key: "c2hvcnQ=", extraHeaders: [origin]).status == 400)

        let notBase64 = try TestWebSocketClient(port: server.port)
        #expect(try notBase64.handshake(key: "not base64 at all!!!!!!!", extraHeaders: [origin]).status == 400)

        let wrongOrigin = try TestWebSocketClient(port: server.port)
        #expect(try wrongOrigin.handshake(extraHeaders: ["Origin: https://evil.test"]).status == 403)
        let noOrigin = try TestWebSocketClient(port: server.port)
        #expect(try noOrigin.handshake().status == 403)

        let garbage = try TestWebSocketClient(port: server.port)
        try garbage.sendRaw(Array("\u{1}\u{2}garbage\r\n\r\n".utf8))
        #expect(try garbage.readHead().status == 400)

        let oversized = try TestWebSocketClient(port: server.port)
        try oversized.sendRaw(Array(("GET /ws HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 10_000)).utf8))
        #expect(try oversized.readHead().status == 431)

        // Refused handshakes never reach the application.
        let good = try TestWebSocketClient(port: server.port)
        #expect(try good.handshake(extraHeaders: [origin]).status == 101)
        #expect(waitUntil { recorder.openedIDs.count == 1 })
        #expect(recorder.all.count == 1)
    }

    @Test func slowHandshakeIsDroppedAfterTheTimeout() throws {
        let (server, _) = try makeServer { $0.handshakeTimeout = .milliseconds(200) }
        defer { server.stop() }
        let client = try TestWebSocketClient(port: server.port, timeoutSeconds: 3)
        try client.sendRaw(Array("GET /ws HTTP/1.1\r\n".utf8))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(client.waitForEndOfStream())
        #expect(clock.now - started < .seconds(2))
    }
}
