import AscentRuntime

/// What the server tells the application: a connection opened, a message arrived, a connection
/// closed. Every `opened` is followed by exactly one `closed` (unless the server is stopped).
public enum WebSocketEvent: Sendable {
    /// A client completed the handshake; the request carries the path, query and headers.
    case opened(WebSocketConnectionID, HTTPRequest)
    /// A complete (reassembled) message; text messages are valid UTF-8.
    case message(WebSocketConnectionID, WebSocketMessage)
    /// The connection ended: the peer's close code, the code the server sent, or 1006 (abnormal)
    /// when the TCP connection dropped without a close frame; `reason` says which.
    case closed(WebSocketConnectionID, WebSocketCloseCode, reason: String)
}

/// One complete data message from a client.
public struct WebSocketMessage: Sendable {
    /// Whether it was sent as text (validated UTF-8) rather than binary.
    public let isText: Bool
    /// The payload, unmasked and reassembled from its fragments.
    public let bytes: [UInt8]

    /// A message; the server builds these, tests may too.
    public init(isText: Bool, bytes: [UInt8]) {
        self.isText = isText
        self.bytes = bytes
    }

    /// The payload as a string (text messages are already known to be valid UTF-8).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
