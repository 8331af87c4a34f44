/// Encodes server-to-client frames (unmasked, as RFC 6455 requires of servers). A broadcast is
/// encoded once with this and the same bytes are appended to every subscriber's output buffer.
public enum WebSocketFrame {
    /// The bytes of one unfragmented frame carrying `payload` with `opcode`.
    public static func encode(_ opcode: WebSocketOpcode, _ payload: some Collection<UInt8>) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 10)
        appendHeader(to: &frame, opcode: opcode, length: payload.count)
        frame.append(contentsOf: payload)
        return frame
    }

    /// A text frame for `text`.
    public static func text(_ text: String) -> [UInt8] {
        encode(.text, text.utf8)
    }

    /// A close frame with `code` and a reason (truncated so the payload stays within 125 bytes,
    /// on a character boundary).
    public static func close(_ code: WebSocketCloseCode, reason: String = "") -> [UInt8] {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        var reasonBytes = 0
        for scalar in reason.unicodeScalars {
            let length = String(scalar).utf8.count
            guard reasonBytes + length <= 123 else { break }
            payload.append(contentsOf: String(scalar).utf8)
            reasonBytes += length
        }
        return encode(.close, payload)
    }

    /// Appends a FIN frame header for `length` payload bytes, using the shortest length form.
    static func appendHeader(to frame: inout [UInt8], opcode: WebSocketOpcode, length: Int) {
        frame.append(0x80 | opcode.rawValue)
        if length < 126 {
            frame.append(UInt8(length))
        } else if length <= 0xFFFF {
            frame.append(126)
            frame.append(UInt8(length >> 8))
            frame.append(UInt8(length & 0xFF))
        } else {
            frame.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
    }
}
