/// The opcodes RFC 6455 defines (section 5.2); any other value is a protocol error.
public enum WebSocketOpcode: UInt8, Sendable {
    /// A later fragment of a text or binary message.
    case continuation = 0x0
    /// A UTF-8 text message (or its first fragment).
    case text = 0x1
    /// A binary message (or its first fragment).
    case binary = 0x2
    /// The close handshake.
    case close = 0x8
    /// A ping, answered with a pong carrying the same payload.
    case ping = 0x9
    /// A pong, the answer to a ping (or an unsolicited heartbeat).
    case pong = 0xA

    /// Whether this is a control frame (close, ping, pong), which must be short and unfragmented.
    public var isControl: Bool { rawValue & 0x8 != 0 }
}
