import AscentRuntime

/// Parses the HTTP/1.1 request head that opens every connection on the edge's port (an upgrade
/// or a plain GET). AscentRuntime's parser is internal to that target, so the edge has its own;
/// it is as strict: token method and header names, an absolute-path target, no control bytes.
enum HTTPHeadParser {
    enum Outcome {
        case incomplete
        case tooLarge
        case malformed(String)
        case request(HTTPRequest, consumed: Int)
    }

    static func parse(_ buffer: UnsafeRawBufferPointer, maximumHeadBytes: Int) -> Outcome {
        let limit = min(buffer.count, maximumHeadBytes)
        var end = -1
        var index = 0
        while index + 3 < limit {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                end = index
                break
            }
            index += 1
        }
        guard end >= 0 else { return buffer.count >= maximumHeadBytes ? .tooLarge : .incomplete }
        guard let head = String(validating: buffer[0..<end], as: UTF8.self) else { return .malformed("request head is not UTF-8") }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
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
        var path = String(target)
        var query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("header line without a colon") }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { return .malformed("bad header name") }
            var value = line[line.index(after: colon)...]
            while let first = value.first, first == " " || first == "\t" { value = value.dropFirst() }
            while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
            guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                return .malformed("control character in header value")
            }
            headers.append((String(name), String(value)))
        }
        return .request(HTTPRequest(method: method, path: path, query: query, version: version, headers: headers), consumed: end + 4)
    }

    /// Whether a comma-separated header value contains `token` (case-insensitive), as
    /// `Connection: keep-alive, Upgrade` must be read.
    static func listContains(_ value: String?, _ token: String) -> Bool {
        guard let value else { return false }
        return value.lowercased().split(separator: ",").contains { $0.trimmingCharacters() == token }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return String(result)
    }
}
