/// A close status code (RFC 6455 section 7.4), carried in close frames and close events.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public let rawValue: UInt16

    /// A code from its number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The connection's purpose was fulfilled.
    public static let normal = WebSocketCloseCode(rawValue: 1000)
    /// The server is stopping or the client went idle.
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// The peer broke the protocol (unmasked frame, bad opcode, reserved bits, bad fragmentation).
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// The peer sent a kind of data the application does not accept.
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// No code was present in the peer's close frame (never sent on the wire).
    public static let noStatus = WebSocketCloseCode(rawValue: 1005)
    /// The connection ended without a close frame (never sent on the wire).
    public static let abnormal = WebSocketCloseCode(rawValue: 1006)
    /// A text message was not valid UTF-8.
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    /// The peer violated a policy, e.g. it read too slowly and its output passed the high-water mark.
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// A message was larger than the configured limit.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// The server hit an unexpected condition.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)

    /// Whether a peer may send this code in a close frame (1005, 1006, 1015 and unassigned
    /// ranges may not).
    public var isValidOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }

    /// The number, for logs.
    public var description: String { String(rawValue) }
}
