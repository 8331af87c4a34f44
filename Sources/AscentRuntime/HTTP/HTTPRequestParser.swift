/// Parses one HTTP/1.x request head from the front of a buffer; pure, so its rules are testable
/// without sockets. Shared by the ops server and the edge, so both ports accept the same requests.
public enum HTTPRequestParser {
    /// What the front of the buffer holds.
    public enum Outcome {
        /// More bytes are needed.
        case incomplete
        /// The head is longer than allowed (answer 431).
        case tooLarge
        /// The bytes are not an HTTP/1.x request (answer 400).
        case malformed(String)
        /// A request whose head took `consumed` bytes; `hasBody` when it announced a body that the
        /// server will not read (so the connection must close after the answer).
        case request(HTTPRequest, consumed: Int, hasBody: Bool)
    }

    /// Parses the head at the front of `buffer`, refusing heads longer than `maximumHeadBytes`.
    public static func parse(_ buffer: ArraySlice<UInt8>, maximumHeadBytes: Int) -> Outcome {
        guard let end = headEnd(in: buffer, limit: maximumHeadBytes) else {
            return buffer.count > maximumHeadBytes ? .tooLarge : .incomplete
        }
        guard let head = String(validating: buffer[buffer.startIndex..<end], as: UTF8.self) else {
            return .malformed("request head is not UTF-8")
        }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return .malformed("empty request") }
        let requestLine = lines.removeFirst()
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .malformed("request line needs method, target and version") }
        let method = String(parts[0])
        let target = parts[1]
        let version = String(parts[2])
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else { return .malformed("bad method") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .malformed("unsupported version") }
        guard target.first == "/", !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return .malformed("target must be an absolute path")
        }
        let path: String
        let query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = String(target)
            query = nil
        }
        var headers: [(name: String, value: String)] = []
        var hasBody = false
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("header line without a colon") }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { return .malformed("bad header name") }
            let value = line[line.index(after: colon)...].trimmingSpacesAndTabs()
            guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                return .malformed("control character in header value")
            }
            let lowered = name.lowercased()
            if lowered == "content-length" {
                guard let length = Int(value), length >= 0 else { return .malformed("bad Content-Length") }
                if length > 0 { hasBody = true }
            } else if lowered == "transfer-encoding" {
                hasBody = true
            }
            headers.append((String(name), String(value)))
        }
        let request = HTTPRequest(method: method, path: path, query: query, version: version, headers: headers)
        return .request(request, consumed: end - buffer.startIndex + 4, hasBody: hasBody)
    }

    /// The index of the `\r\n\r\n` that ends the head, if it lies within `limit` bytes.
    private static func headEnd(in buffer: ArraySlice<UInt8>, limit: Int) -> Int? {
        let searchEnd = min(buffer.endIndex, buffer.startIndex + limit)
        guard searchEnd - buffer.startIndex >= 4 else { return nil }
        var index = buffer.startIndex
        while index + 3 < searchEnd {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Substring {
    fileprivate func trimmingSpacesAndTabs() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
