import AscentEdge
import Testing

/// Frame-level rules of RFC 6455 against a real server on loopback: each violation must close
/// with its code and be reported to the application with that code.
@Suite struct FrameProtocolTests {
    @Test func echoesTextAndBinaryOfEveryLengthForm() throws {
        let (server, recorder) = try makeServer(echo: true) { $0.maximumMessageBytes = 1 << 20 }
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendText("héllo ✈︎")
        let text = try client.readFrame()
        #expect(text.opcode == 1 && text.fin && text.text == "héllo ✈︎")
        for length in [0, 125, 126, 65535, 65536, 300_000] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try client.sendFrame(opcode: 2, payload: payload)
            let echoed = try client.readFrame()
            #expect(echoed.opcode == 2, "length \(length)")
            #expect(echoed.payload == payload, "length \(length)")
        }
        #expect(recorder.messages.count == 7)
    }

    @Test func fragmentedMessageWithAPingInBetween() throws {
        let (server, recorder) = try makeServer(echo: true)
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendFrame(opcode: 1, payload: Array("frag".utf8), fin: false)
        try client.sendFrame(opcode: 9, payload: Array("are you there".utf8))
        try client.sendFrame(opcode: 0, payload: Array("men".utf8), fin: false)
        try client.sendFrame(opcode: 0, payload: Array("ted".utf8), fin: true)
        let pong = try client.readFrame()
        #expect(pong.opcode == 0xA)
        #expect(pong.text == "are you there")
        let echo = try client.readFrame()
        #expect(echo.opcode == 1 && echo.text == "fragmented")
        #expect(recorder.messages.map { $0.1.text } == ["fragmented"])
    }

    @Test func codePointSplitAcrossFragmentsIsValid() throws {
        let (server, _) = try makeServer(echo: true)
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        try client.sendFrame(opcode: 1, payload: [0x41, euro[0]], fin: false)
        try client.sendFrame(opcode: 0, payload: [euro[1]], fin: false)
        try client.sendFrame(opcode: 0, payload: [euro[2], 0x42], fin: true)
        #expect(try client.readFrame().text == "A€B")
    }

    /// Sends `frames` after a handshake and expects the server to close with `code`, report the
    /// same code, and end the stream.
    private func expectClose(_ code: UInt16, after frames: (TestWebSocketClient) throws -> Void,
                             configure: (inout WebSocketServer.Configuration) -> Void = { _ in }) throws {
        let (server, recorder) = try makeServer(echo: true, configure)
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        try frames(client)
        #expect(try client.readCloseCode() == code)
        #expect(client.waitForEndOfStream())
        #expect(recorder.awaitCloseCode()?.rawValue == code)
        // The server holds a closing connection until the client's FIN (or its close timeout).
        client.closeSocket()
        #expect(waitUntil(.seconds(1)) { server.statistics.openConnections == 0 })
    }

    @Test func unmaskedFrameIsAProtocolError() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 1, payload: Array("hi".utf8), masked: false) }
    }

    @Test func reservedBitsAreAProtocolError() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 1, payload: Array("hi".utf8), rsv: 0b100) }
        try expectClose(1002) { try $0.sendFrame(opcode: 2, payload: [1], rsv: 0b001) }
    }

    @Test func reservedOpcodesAreAProtocolError() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 3, payload: []) }
        try expectClose(1002) { try $0.sendFrame(opcode: 0xB, payload: []) }
    }

    @Test func fragmentedOrLongControlFramesAreAProtocolError() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 9, payload: [1, 2], fin: false) }
        try expectClose(1002) { try $0.sendFrame(opcode: 9, payload: [UInt8](repeating: 7, count: 126)) }
    }

    @Test func badFragmentSequencesAreAProtocolError() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 0, payload: Array("orphan".utf8)) }
        try expectClose(1002) { client in
            try client.sendFrame(opcode: 1, payload: Array("one".utf8), fin: false)
            try client.sendFrame(opcode: 1, payload: Array("two".utf8))
        }
    }

    @Test func badLengthEncodingsAreAProtocolError() throws {
        let mask: [UInt8] = [1, 2, 3, 4]
        // 5 bytes announced in the 16-bit form, and a 64-bit length with its high bit set.
        try expectClose(1002) { try $0.sendRaw([0x82, 0xFE, 0x00, 0x05] + mask + [0, 0, 0, 0, 0]) }
        try expectClose(1002) { try $0.sendRaw([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1] + mask) }
        // 200 bytes announced in the 64-bit form.
        try expectClose(1002) { try $0.sendRaw([0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 200] + mask + [UInt8](repeating: 0, count: 200)) }
    }

    @Test func framesPipelinedBehindTheHandshakeAreRead() throws {
        let (server, _) = try makeServer(echo: true)
        defer { server.stop() }
        let client = try TestWebSocketClient(port: server.port)
        let request = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try client.sendRaw(Array(request.utf8) + client.encodeFrame(opcode: 1, payload: Array("early".utf8)))
        #expect(try client.readHead().status == 101)
        #expect(try client.readFrame().text == "early")
    }

    @Test func oversizedMessagesCloseWith1009() throws {
        try expectClose(1009, after: { try $0.sendFrame(opcode: 2, payload: [UInt8](repeating: 1, count: 1025)) },
                        configure: { $0.maximumMessageBytes = 1024 })
        // The limit applies to the message, not the frame: three 400-byte fragments exceed it.
        try expectClose(1009, after: { client in
            for index in 0..<3 {
                try client.sendFrame(opcode: index == 0 ? 2 : 0, payload: [UInt8](repeating: 1, count: 400), fin: index == 2)
            }
        }, configure: { $0.maximumMessageBytes = 1024 })
    }

    @Test func invalidUTF8ClosesWith1007() throws {
        try expectClose(1007) { try $0.sendFrame(opcode: 1, payload: [0x41, 0xFF, 0x42]) }
        // Overlong encoding and a UTF-16 surrogate.
        try expectClose(1007) { try $0.sendFrame(opcode: 1, payload: [0xC0, 0xAF]) }
        try expectClose(1007) { try $0.sendFrame(opcode: 1, payload: [0xED, 0xA0, 0x80]) }
        // A message ending in the middle of a code point.
        try expectClose(1007) { try $0.sendFrame(opcode: 1, payload: [0x41, 0xE2, 0x82]) }
        // Invalid only when the fragments are joined: E2 82 then 41 (not a continuation byte).
        try expectClose(1007) { client in
            try client.sendFrame(opcode: 1, payload: [0xE2, 0x82], fin: false)
            try client.sendFrame(opcode: 0, payload: [0x41], fin: true)
        }
        // Caught on the first fragment already, before the message ends.
        try expectClose(1007) { try $0.sendFrame(opcode: 1, payload: [0x41, 0xF5], fin: false) }
    }

    @Test func closeHandshakeEchoesTheCode() throws {
        let (server, recorder) = try makeServer()
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        try client.sendClose(1000, reason: "bye")
        #expect(try client.readCloseCode() == 1000)
        #expect(client.waitForEndOfStream())
        #expect(recorder.awaitCloseCode() == .normal)
        #expect(recorder.closes.first?.2 == "client closed: bye")

        let other = try TestWebSocketClient.open(port: server.port)
        try other.sendClose(4001)
        #expect(try other.readCloseCode() == 4001)
    }

    @Test func invalidCloseFramesAreRejected() throws {
        try expectClose(1002) { try $0.sendFrame(opcode: 8, payload: [0x03]) }
        try expectClose(1002) { try $0.sendClose(1005) }
        try expectClose(1002) { try $0.sendClose(999) }
        try expectClose(1007) { try $0.sendFrame(opcode: 8, payload: [0x03, 0xE8, 0xFF]) }
    }

    @Test func serverInitiatedCloseCarriesTheCode() throws {
        let (server, recorder) = try makeServer()
        defer { server.stop() }
        let client = try TestWebSocketClient.open(port: server.port)
        #expect(waitUntil { recorder.openedIDs.count == 1 })
        server.close(recorder.openedIDs[0], code: .unsupportedData, reason: "no thanks")
        let frame = try client.readFrame()
        #expect(frame.opcode == 8 && frame.closeCode == 1003)
        #expect(client.waitForEndOfStream())
        #expect(recorder.awaitCloseCode() == .unsupportedData)
    }
}
