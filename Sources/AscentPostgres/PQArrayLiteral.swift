/// Builds PostgreSQL array literals in text format (`{...}`), so a whole batch travels as one
/// parameter per column and is unpacked with `unnest` on the server.
public struct PQArrayLiteral {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isEmpty = true

    /// An empty literal; append elements, then take `text`.
    public init(reservingCapacity capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// Appends a number.
    public mutating func append(_ value: some BinaryInteger) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a text element, quoted and escaped.
    public mutating func append(text: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a bytea element in hex format: `"\\x0a1b"` (the array parser turns `\\` into `\`).
    public mutating func append(bytea: [UInt8]) {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        for byte in bytea {
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0f)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends SQL NULL.
    public mutating func appendNull() {
        separate()
        bytes.append(contentsOf: "NULL".utf8)
    }

    /// Appends a number, or NULL when nil.
    public mutating func append(_ value: (some BinaryInteger)?) {
        if let value { append(value) } else { appendNull() }
    }

    /// Appends a text element, or NULL when nil.
    public mutating func append(text: String?) {
        if let text { append(text: text) } else { appendNull() }
    }

    /// The literal, closed.
    public var text: String { String(decoding: bytes + [UInt8(ascii: "}")], as: UTF8.self) }

    private mutating func separate() {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Builds a one-dimensional `bytea[]` in PostgreSQL's binary array format, for a parameter sent in
/// binary (`.bytes`): no hex escaping on our side and no text parsing on the server's, which
/// matters for the log's batches of thousands of keys, values and headers.
public struct PQByteaArray {
    private var body: [UInt8] = []
    private var count: Int32 = 0

    /// An empty array; `reservingCapacity` is a byte count.
    public init(reservingCapacity capacity: Int = 256) { body.reserveCapacity(capacity) }

    /// Appends one element.
    public mutating func append(_ element: [UInt8]) {
        Self.appendInt32(Int32(element.count), to: &body)
        body.append(contentsOf: element)
        count += 1
    }

    /// The array's binary representation: dimensions, flags, element type, then each element's
    /// length and bytes (all integers big-endian).
    public var binary: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20 + body.count)
        Self.appendInt32(count == 0 ? 0 : 1, to: &out)   // dimensions (an empty array has none)
        Self.appendInt32(0, to: &out)                    // no NULL elements
        Self.appendInt32(17, to: &out)                   // element type: bytea
        if count > 0 {
            Self.appendInt32(count, to: &out)            // length of the dimension
            Self.appendInt32(1, to: &out)                // lower bound
        }
        out.append(contentsOf: body)
        return out
    }

    private static func appendInt32(_ value: Int32, to bytes: inout [UInt8]) {
        let bits = UInt32(bitPattern: value)
        bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
        bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        bytes.append(UInt8(truncatingIfNeeded: bits))
    }
}
