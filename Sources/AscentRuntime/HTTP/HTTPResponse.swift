/// What a route answers: a status, a content type, extra headers and a body. The server adds
/// Content-Length and Connection itself.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200 or 503.
    public var status: Int
    /// The Content-Type header.
    public var contentType: String
    /// Further header fields (do not set Content-Length or Connection here).
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// A response with a byte body.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8",
                headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A response with a text body, UTF-8 encoded.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8",
                headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, contentType: contentType, headers: headers, body: Array(text.utf8))
    }

    /// The reason phrase written after the status code.
    static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }

    /// The status line, headers and (unless `includeBody` is false, for HEAD) the body.
    func serialized(keepAlive: Bool, includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(for: status))\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if includeBody {
            bytes.append(contentsOf: body)
        }
        return bytes
    }
}
