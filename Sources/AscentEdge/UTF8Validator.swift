/// An incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates, nothing above
/// U+10FFFF) whose state carries across the fragments of one WebSocket text message, so a
/// code point split between two frames is accepted and a bad one is caught as soon as it arrives.
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current code point.
    private var remaining = 0
    /// The allowed range of the next byte (narrower than 80...BF right after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// A validator at the start of a message.
    public init() {}

    /// Whether the input so far ends on a code point boundary (a complete message must).
    public var isComplete: Bool { remaining == 0 }

    /// Feeds more bytes; false as soon as they cannot be part of valid UTF-8.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if remaining == 0 {
                if byte < 0x80 {
                    // ASCII fast path: skip 8 bytes at a time while none has the high bit.
                    index += 1
                    while index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                        index += 8
                    }
                    continue
                }
                switch byte {
                case 0xC2...0xDF: remaining = 1; lower = 0x80; upper = 0xBF
                case 0xE0: remaining = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: remaining = 2; lower = 0x80; upper = 0xBF
                case 0xED: remaining = 2; lower = 0x80; upper = 0x9F
                case 0xF0: remaining = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: remaining = 3; lower = 0x80; upper = 0xBF
                case 0xF4: remaining = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                guard byte >= lower && byte <= upper else { return false }
                remaining -= 1
                lower = 0x80
                upper = 0xBF
            }
            index += 1
        }
        return true
    }

    /// Feeds an array of bytes; false when they cannot be part of valid UTF-8.
    public mutating func feed(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { feed($0) }
    }
}
