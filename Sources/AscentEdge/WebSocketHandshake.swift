import AscentRuntime

/// The server side of the opening handshake (RFC 6455 section 4.2): decides whether a request
/// is a valid upgrade and builds the 101 answer, or the error answer that explains why not.
public enum WebSocketHandshake {
    /// The GUID that RFC 6455 appends to the client's key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// What to do with a request head.
    enum Decision {
        /// Upgrade: write these bytes (the 101 response) and switch to frames.
        case accept([UInt8])
        /// Refuse with this answer and close.
        case reject(HTTPResponse)
    }

    /// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + guid).utf8)))
    }

    /// Whether a request asks for a WebSocket upgrade at all (Upgrade: websocket).
    static func isUpgrade(_ request: HTTPRequest) -> Bool {
        HeaderTokenList.listContains(request.header("Upgrade"), "websocket")
    }

    /// Checks an upgrade request: GET, HTTP/1.1, Connection: Upgrade, a 16-byte base64 key,
    /// version 13 (else 426 naming the version we speak), and the Origin when a list is configured.
    static func decide(_ request: HTTPRequest, allowedOrigins: Set<String>?) -> Decision {
        guard request.method == "GET" else {
            return .reject(HTTPResponse(status: 400, text: "WebSocket upgrade needs GET\n"))
        }
        guard request.version == "HTTP/1.1" else {
            return .reject(HTTPResponse(status: 400, text: "WebSocket upgrade needs HTTP/1.1\n"))
        }
        guard HeaderTokenList.listContains(request.header("Connection"), "upgrade") else {
            return .reject(HTTPResponse(status: 400, text: "Connection header must include Upgrade\n"))
        }
        guard request.header("Sec-WebSocket-Version") == "13" else {
            return .reject(HTTPResponse(status: 426, headers: [("Sec-WebSocket-Version", "13")],
                                        text: "only WebSocket version 13 is supported\n"))
        }
        guard let key = request.header("Sec-WebSocket-Key"), Base64.decode(key)?.count == 16 else {
            return .reject(HTTPResponse(status: 400, text: "Sec-WebSocket-Key must be 16 bytes in base64\n"))
        }
        if let allowedOrigins {
            guard let origin = request.header("Origin"), allowedOrigins.contains(origin) else {
                return .reject(HTTPResponse(status: 403, text: "origin not allowed\n"))
            }
        }
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(forKey: key))\r\n\r\n"
        return .accept(Array(response.utf8))
    }

    /// Serializes a plain HTTP answer; the edge closes the connection after every plain answer.
    static func serialize(_ response: HTTPResponse, includeBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        head += "Content-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if includeBody { bytes.append(contentsOf: response.body) }
        return bytes
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 426: "Upgrade Required"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
