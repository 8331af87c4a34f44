import AscentRuntime
import Glibc
import Synchronization
import Testing

@Suite struct HTTPServerTests {
    /// A started server on an ephemeral loopback port with `/hello` and `/metrics` routes.
    private func makeServer(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration()
        configure(&configuration)
        let server = try HTTPServer(host: "127.0.0.1", port: 0, configuration: configuration)
        server.route("/hello") { request in
            HTTPResponse(status: 200, text: "hello \(request.query ?? "")")
        }
        server.start()
        return server
    }

    @Test func servesRegistryTextOnMetrics() throws {
        let registry = MetricsRegistry()
        registry.counter("ascent_rounds_total", help: "Rounds.").increment(by: 5)
        let server = try HTTPServer(host: "127.0.0.1", port: 0)
        defer { server.stop() }
        server.route("/metrics") { _ in HTTPResponse(status: 200, contentType: OpsServer.metricsContentType, text: registry.render()) }
        server.start()
        #expect(server.port > 0)
        let response = try TestHTTPClient.get(port: server.port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.body == registry.render())
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test func answersUnknownPathsWith404AndOtherMethodsWith405() throws {
        let server = try makeServer()
        defer { server.stop() }
        #expect(try TestHTTPClient.get(port: server.port, path: "/nowhere").status == 404)
        let client = try TestHTTPClient(port: server.port)
        try client.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "GET, HEAD")
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /hello\r\n\r\n",
        "GET /hello HTTP/9.9\r\n\r\n",
        "GET hello HTTP/1.1\r\n\r\n",
        "GET /hello HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET /hello HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET /hello HTTP/1.1\r\nContent-Length: -4\r\n\r\n",
        "G(T /hello HTTP/1.1\r\n\r\n",
    ])
    func answersMalformedRequestsWith400AndCloses(request: String) throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == 400, "for \(request.debugDescription)")
        #expect(response.headers["connection"] == "close")
        #expect(client.readsEndOfStream())
    }

    @Test func answersOversizedHeadsWith431() throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        let huge = "GET /hello HTTP/1.1\r\nX-Filler: \(String(repeating: "a", count: 10_000))\r\n\r\n"
        try client.send(huge)
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect(client.readsEndOfStream())
        // A head just under the limit is fine.
        let fits = "GET /hello HTTP/1.1\r\nX-Filler: \(String(repeating: "a", count: 8000))\r\n\r\n"
        let second = try TestHTTPClient(port: server.port)
        try second.send(fits)
        #expect(try second.readResponse().status == 200)
    }

    @Test func keepsConnectionsAliveAndAnswersPipelinedRequestsInOrder() throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        for index in 0..<5 {
            try client.send("GET /hello?\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200 && response.body == "hello \(index)")
            #expect(response.headers["connection"] == "keep-alive")
        }
        try client.send("GET /hello?a HTTP/1.1\r\n\r\nHEAD /hello?b HTTP/1.1\r\n\r\nGET /hello?c HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().body == "hello a")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "7")
        let last = try client.readResponse()
        #expect(last.body == "hello c" && last.headers["connection"] == "close")
        #expect(client.readsEndOfStream())
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try client.readResponse().headers["connection"] == "close")
        #expect(client.readsEndOfStream())
    }

    @Test func parsesARequestThatArrivesOneByteAtATime() throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        for byte in "GET /hello?slow HTTP/1.1\r\nHost: x\r\n\r\n".utf8 {
            try client.send([byte])
        }
        #expect(try client.readResponse().body == "hello slow")
    }

    @Test func closesAfterEachAnswerWhenKeepAliveIsOff() throws {
        let server = try makeServer { $0.keepAlive = false }
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200 && response.headers["connection"] == "close")
        #expect(client.readsEndOfStream())
    }

    @Test func requestWithABodyIsAnsweredThenTheConnectionCloses() throws {
        let server = try makeServer()
        defer { server.stop() }
        let client = try TestHTTPClient(port: server.port)
        // The body is never read, so the connection cannot be reused after it.
        try client.send("POST /hello HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        let response = try client.readResponse()
        #expect(response.status == 405 && response.headers["connection"] == "close")
        #expect(client.readsEndOfStream())
    }

    @Test func largeResponsesArriveWholeThroughPartialWrites() throws {
        let server = try makeServer()
        defer { server.stop() }
        let big = String((0..<3_000_000).lazy.map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
        server.route("/big") { _ in HTTPResponse(status: 200, text: big) }
        let client = try TestHTTPClient(port: server.port)
        for _ in 0..<2 {
            try client.send("GET /big HTTP/1.1\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200 && response.body == big)
        }
    }

    @Test func servesManySequentialAndConcurrentClients() throws {
        let server = try makeServer()
        defer { server.stop() }
        for index in 0..<200 {
            let response = try TestHTTPClient.get(port: server.port, path: "/hello?\(index)")
            #expect(response.body == "hello \(index)")
        }
        let successes = Atomic<Int>(0)
        let port = server.port
        runOnThreads(16) { thread in
            for index in 0..<25 {
                if let response = try? TestHTTPClient.get(port: port, path: "/hello?\(thread)-\(index)"),
                   response.status == 200, response.body == "hello \(thread)-\(index)" {
                    successes.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(successes.load(ordering: .relaxed) == 16 * 25)
    }

    @Test func refusesConnectionsBeyondTheCapWith503() throws {
        let server = try makeServer { $0.maximumConnections = 2 }
        defer { server.stop() }
        // Two kept-alive connections, each proven accepted by a completed request.
        let first = try TestHTTPClient(port: server.port)
        let second = try TestHTTPClient(port: server.port)
        for client in [first, second] {
            try client.send("GET /hello HTTP/1.1\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        let third = try TestHTTPClient(port: server.port)
        #expect(try third.readResponse().status == 503)
        // Closing one frees a slot.
        _ = consume first
        #expect(waitUntil { (try? TestHTTPClient.get(port: server.port, path: "/hello").status) == 200 })
    }

    @Test func closesIdleConnectionsAfterTheTimeout() throws {
        let server = try makeServer { $0.idleTimeout = .milliseconds(200) }
        defer { server.stop() }
        // Started before connecting, so the server's accept (the idle clock's start) comes later.
        let clock = ContinuousClock()
        let start = clock.now
        let idle = try TestHTTPClient(port: server.port)
        let partial = try TestHTTPClient(port: server.port)
        try partial.send("GET /hel") // a stalled head does not keep the connection alive
        #expect(idle.readsEndOfStream(), "closed before the client's 5 s receive timeout")
        #expect(partial.readsEndOfStream())
        #expect(clock.now - start >= .milliseconds(150))
    }

    @Test func stopReturnsPromptlyAndClosesEverything() throws {
        let server = try makeServer()
        let token = "server-\(UInt64.random(in: 0...UInt64.max))"
        server.route("/owner") { _ in HTTPResponse(status: 200, text: token) }
        let port = server.port
        let open = try TestHTTPClient(port: port)
        try open.send("GET /owner HTTP/1.1\r\n\r\n")
        #expect(try open.readResponse().body == token)
        let clock = ContinuousClock()
        let start = clock.now
        server.stop()
        // Far below the 10 s idle timeout that would otherwise close connections; slack for a loaded machine.
        #expect(clock.now - start < .seconds(5))
        #expect(open.readsEndOfStream())
        // The listening socket is closed: a connection is refused, or, when a test running alongside
        // has since been given the same port, answered by that other server, never by this one (a
        // socket left listening would accept and then answer nothing).
        do {
            let probe = try TestHTTPClient(port: port)
            try probe.send("GET /owner HTTP/1.1\r\n\r\n")
            let answer = try? probe.readResponse()
            #expect(answer != nil && answer?.body != token, "the stopped server's port still accepts connections")
        } catch is TestHTTPClient.Failure {
            // Refused: nothing listens there.
        }
        server.stop() // idempotent
    }

    @Test func bindingABusyPortFailsWithAClearError() throws {
        let server = try makeServer()
        defer { server.stop() }
        do {
            _ = try HTTPServer(host: "127.0.0.1", port: server.port)
            Issue.record("binding a busy port succeeded")
        } catch {
            #expect(error.code == EADDRINUSE)
            #expect(error.description.contains("bind 127.0.0.1:\(server.port)"))
        }
        #expect(throws: HTTPServerError.self) { try HTTPServer(host: "not-an-address", port: 0) }
    }

    @Test func servesIPv6Loopback() throws {
        let server = try HTTPServer(host: "::1", port: 0)
        server.stop()
        #expect(server.port > 0)
    }
}
