import AscentRuntime
import Glibc
import Foundation

/// A blocking HTTP client over a real loopback TCP socket, with 5-second send and receive
/// timeouts so a broken server fails a test instead of hanging it.
final class TestHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 5) throws {
        // Assigned only once connected, so a failed connect leaves nothing for deinit to close.
        do {
            fd = try LoopbackSocket.connect(port: port, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Failure(description: error.description)
        }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes; false at end of stream. Throws on timeout or error.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received == 0 { return false }
        guard received > 0 else { throw Failure(description: "recv: errno \(errno) (timeout or reset)") }
        buffer.append(contentsOf: chunk[0..<received])
        return true
    }

    /// Reads one response; `head` true when it answers a HEAD request (no body follows).
    func readResponse(head: Bool = false) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            if let index = Self.find([13, 10, 13, 10], in: buffer) {
                headEnd = index
                break
            }
            guard try fill() else { throw Failure(description: "connection closed before a response head") }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = headText.split(separator: "\r\n").map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header \(line)") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = head ? 0 : Int(headers["content-length"] ?? "") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            guard try fill() else { throw Failure(description: "connection closed inside a body") }
        }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        buffer.removeFirst(bodyStart + length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (end of stream) before the receive timeout.
    func readsEndOfStream() -> Bool {
        buffer.removeAll()
        while true {
            do {
                if try !fill() { return true }
            } catch {
                return false
            }
        }
    }

    /// One GET on a fresh connection.
    static func get(port: Int, path: String) throws -> Response {
        let client = try TestHTTPClient(port: port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return try client.readResponse()
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
