import AscentRuntime
import Glibc

/// A small blocking WebSocket client over a loopback TCP socket, for bots and tests. It is
/// deliberately low-level: besides well-formed messages it can send what a well-behaved client
/// never would (unmasked, fragmented control, reserved bits, garbage), and its receive timeout
/// makes a broken server fail a test instead of hanging it. One client belongs to one thread.
public final class WebSocketClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Frame {
        public var fin: Bool
        public var opcode: UInt8
        public var payload: [UInt8]

        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame (1005 when it had none).
        public var closeCode: UInt16 { payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005 }
    }

    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var seed: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Connects to 127.0.0.1:`port`; `receiveBufferBytes` shrinks SO_RCVBUF (set before connect).
    public init(port: Int, timeoutSeconds: Int = 5, receiveBufferBytes: Int32? = nil) throws {
        // Assigned only once connected, so a failed connect leaves nothing for deinit to close.
        do {
            fd = try LoopbackSocket.connect(port: port, timeoutSeconds: timeoutSeconds, receiveBufferBytes: receiveBufferBytes)
        } catch {
            throw Failure(description: error.description)
        }
    }

    private var isClosed = false

    deinit {
        if !isClosed { close(fd) }
    }

    /// Connects and completes a valid handshake at `path`.
    public static func open(port: Int, path: String = "/ws", receiveBufferBytes: Int32? = nil) throws -> WebSocketClient {
        let client = try WebSocketClient(port: port, receiveBufferBytes: receiveBufferBytes)
        let (status, _) = try client.handshake(path: path)
        guard status == 101 else { throw Failure(description: "handshake answered \(status)") }
        return client
    }

    /// Sends an upgrade request (valid unless `headers` override fields) and reads the answer head.
    public func handshake(path: String = "/ws", method: String = "GET", key: String = "dGhlIHNhbXBsZSBub25jZQ==",
                   extraHeaders: [String] = [], version: String = "13") throws -> (status: Int, headers: [String: String]) {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: \(version)\r\n"
        for header in extraHeaders { request += header + "\r\n" }
        request += "\r\n"
        try sendRaw(Array(request.utf8))
        return try readHead()
    }

    /// Reads an HTTP response head; returns the status and headers (names lowercased).
    public func readHead() throws -> (status: Int, headers: [String: String]) {
        while true {
            if let end = findHeadEnd() {
                let head = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 4
                var lines = head.split(separator: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line in \(head)") }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: " ")
                }
                return (status, headers)
            }
            guard try fill() else { throw Failure(description: "connection closed before a response head") }
        }
    }

    /// Reads the rest of the stream after a head (an HTTP body sent with Connection: close).
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        let rest = Array(buffer[start...])
        start = buffer.count
        return rest
    }

    private func findHeadEnd() -> Int? {
        var index = start
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// Encodes a client frame with full control over every bit.
    public func encodeFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0x0F)]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(maskBit | 126)
            frame.append(UInt8(payload.count >> 8))
            frame.append(UInt8(payload.count & 0xFF))
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: UInt64(payload.count) >> UInt64(shift))) }
        }
        if masked {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let key = withUnsafeBytes(of: UInt32(truncatingIfNeeded: seed >> 32)) { Array($0) }
            frame.append(contentsOf: key)
            for (index, byte) in payload.enumerated() { frame.append(byte ^ key[index & 3]) }
        } else {
            frame.append(contentsOf: payload)
        }
        return frame
    }

    public func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0) throws {
        try sendRaw(encodeFrame(opcode: opcode, payload: payload, fin: fin, masked: masked, rsv: rsv))
    }

    public func sendText(_ text: String) throws {
        try sendFrame(opcode: 1, payload: Array(text.utf8))
    }

    /// Sends a close frame with `code`.
    public func sendClose(_ code: UInt16, reason: String = "") throws {
        try sendFrame(opcode: 8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one server frame; throws at end of stream or timeout. Server frames must be unmasked.
    public func readFrame() throws -> Frame {
        while true {
            if let frame = try parseFrame() { return frame }
            guard try fill() else { throw Failure(description: "connection closed while waiting for a frame") }
        }
    }

    /// Reads frames until a close frame and returns its code; fails on end of stream first.
    public func readCloseCode() throws -> UInt16 {
        while true {
            let frame = try readFrame()
            if frame.opcode == 8 { return frame.closeCode }
        }
    }

    /// Whether the server closed the stream (EOF or reset) within the receive timeout, skipping frames.
    public func waitForEndOfStream() -> Bool {
        while true {
            do {
                if try !fill() { return true }
            } catch {
                return errno == ECONNRESET
            }
        }
    }

    private func parseFrame() throws -> Frame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let first = buffer[start], second = buffer[start + 1]
        guard second & 0x80 == 0 else { throw Failure(description: "server frame is masked") }
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for index in 2..<10 { length = length << 8 | Int(buffer[start + index]) }
            offset = 10
        }
        guard available >= offset + length else { return nil }
        let payload = Array(buffer[(start + offset)..<(start + offset + length)])
        start += offset + length
        if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        return Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }

    /// Reads more bytes; false at end of stream. Throws on timeout or error.
    @discardableResult
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received == 0 { return false }
        guard received > 0 else { throw Failure(description: "recv: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<received])
        return true
    }

    /// Closes the socket with a reset (SO_LINGER 0), as a crashed client would.
    public func reset() {
        guard !isClosed else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        isClosed = true
    }

    /// Closes the socket normally (FIN) without a close frame.
    public func closeSocket() {
        guard !isClosed else { return }
        close(fd)
        isClosed = true
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
