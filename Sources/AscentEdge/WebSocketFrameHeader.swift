/// The parsed header of a client frame, with the strict checks RFC 6455 puts on it: masking
/// required, no reserved bits (no extensions are negotiated), known opcodes only, control frames
/// short and unfragmented, lengths in their shortest form.
struct WebSocketFrameHeader {
    var fin: Bool
    var opcode: WebSocketOpcode
    var mask: UInt32
    var payloadLength: Int
    /// Header bytes including the masking key.
    var headerLength: Int

    enum ParseResult {
        case incomplete
        case frame(WebSocketFrameHeader)
        case violation(WebSocketCloseCode, String)
    }

    /// Parses the header at the front of `bytes`; `maximumPayload` bounds a data frame's payload
    /// (what is left of the message limit), so an oversized frame is refused before it is buffered.
    static func parse(_ bytes: UnsafeRawBufferPointer, maximumPayload: Int) -> ParseResult {
        guard bytes.count >= 2 else { return .incomplete }
        let first = bytes[0]
        let second = bytes[1]
        if first & 0x70 != 0 { return .violation(.protocolError, "reserved bits set") }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .violation(.protocolError, "reserved opcode \(first & 0x0F)")
        }
        let fin = first & 0x80 != 0
        guard second & 0x80 != 0 else { return .violation(.protocolError, "client frame not masked") }
        var length = Int(second & 0x7F)
        var offset = 2
        if opcode.isControl {
            if !fin { return .violation(.protocolError, "fragmented control frame") }
            if length > 125 { return .violation(.protocolError, "control frame longer than 125 bytes") }
        }
        if length == 126 {
            guard bytes.count >= 4 else { return .incomplete }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            if length < 126 { return .violation(.protocolError, "length not in its shortest form") }
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return .incomplete }
            var long: UInt64 = 0
            for index in 2..<10 { long = long << 8 | UInt64(bytes[index]) }
            if long >> 63 != 0 { return .violation(.protocolError, "64-bit length with the high bit set") }
            if long <= 0xFFFF { return .violation(.protocolError, "length not in its shortest form") }
            if !opcode.isControl && long > UInt64(maximumPayload) { return .violation(.messageTooBig, "frame larger than \(maximumPayload) bytes") }
            length = Int(long)
            offset = 10
        }
        if !opcode.isControl && length > maximumPayload { return .violation(.messageTooBig, "frame larger than \(maximumPayload) bytes") }
        guard bytes.count >= offset + 4 else { return .incomplete }
        let mask = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return .frame(WebSocketFrameHeader(fin: fin, opcode: opcode, mask: mask, payloadLength: length, headerLength: offset + 4))
    }

    /// Unmasks `count` bytes from `source` into `destination` (which may be the same memory).
    static func unmask(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int, mask: UInt32) {
        // The key in memory order, so it lines up with byte 0 of the payload.
        let wide = UInt64(mask) | UInt64(mask) << 32
        var index = 0
        while index + 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            destination.storeBytes(of: word ^ wide, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        let keyBytes = withUnsafeBytes(of: mask) { Array($0) }
        while index < count {
            let byte = source.load(fromByteOffset: index, as: UInt8.self) ^ keyBytes[index & 3]
            destination.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            index += 1
        }
    }
}
