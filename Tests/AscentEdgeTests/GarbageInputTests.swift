import AscentEdge
import Testing

/// Seeded random input after a valid handshake: the server must answer each connection with a
/// close code it is allowed to send (or keep it open when the bytes happen to be valid), report
/// every connection closed exactly once, and keep serving.
@Suite struct GarbageInputTests {
    @Test func randomBytesNeverBreakTheServer() throws {
        let seed: UInt64 = 0x5EED_2026_1203
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let (server, recorder) = try makeServer(echo: true) { $0.maximumMessageBytes = 4096 }
        defer { server.stop() }
        let rounds = 150
        for round in 0..<rounds {
            let client = try TestWebSocketClient.open(port: server.port)
            var bytes: [UInt8] = []
            // Half the rounds start from a valid masked frame and flip bits in it.
            if round % 2 == 0 {
                let payload = (0..<Int(next() % 300)).map { _ in UInt8(truncatingIfNeeded: next()) }
                bytes = client.encodeFrame(opcode: UInt8(next() % 16), payload: payload, fin: next() % 4 != 0)
                for _ in 0..<Int(next() % 4) {
                    let index = Int(next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(1 << (next() % 8))
                }
            } else {
                bytes = (0..<Int(next() % 200)).map { _ in UInt8(truncatingIfNeeded: next()) }
            }
            try client.sendRaw(bytes)
            client.closeSocket()
        }
        #expect(waitUntil { recorder.closes.count == rounds }, "seed \(seed)")
        #expect(waitUntil { server.statistics.openConnections == 0 }, "seed \(seed)")
        // A code the client sent (valid on the wire, or none), one the server sends for a
        // violation, or 1006 for a connection that just ended.
        var serverCodes = 0
        for (_, code, reason) in recorder.closes {
            #expect(code.isValidOnWire || code == .noStatus || code == .abnormal, "seed \(seed): \(code) \(reason)")
            if [.protocolError, .invalidPayload, .messageTooBig].contains(code) { serverCodes += 1 }
        }
        // Random bytes are mostly not valid frames: most rounds must end in a violation.
        #expect(serverCodes > rounds / 2, "seed \(seed)")
        let healthy = try TestWebSocketClient.open(port: server.port)
        try healthy.sendText("still fine")
        #expect(try healthy.readFrame().text == "still fine", "seed \(seed)")
    }
}
