/// Writes a JSON object member by member into bytes, without Foundation and without reflection:
/// members come out in the order written, so equal events give equal bytes.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    /// A writer that has opened an object.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes `"name": "value"`, escaped.
    public mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        JSONWriter.appendString(value, to: &bytes)
    }

    /// Writes `"name": value` for an integer.
    public mutating func integer(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `"name": value` for an integer, or nothing when nil.
    public mutating func integer(_ name: StaticString, ifPresent value: Int64?) {
        if let value { integer(name, value) }
    }

    /// Writes `"name": value` for a double, in Swift's shortest round-tripping form.
    public mutating func double(_ name: StaticString, _ value: Double) {
        precondition(value.isFinite, "JSON has no NaN or infinity")
        key(name)
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Writes `"name": true|false`.
    public mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `"name": <raw JSON>`; `json` must already be valid JSON.
    public mutating func raw(_ name: StaticString, _ json: [UInt8]) {
        key(name)
        bytes.append(contentsOf: json)
    }

    /// Appends `value` as a JSON string literal, escaping what RFC 8259 requires.
    public static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Reads typed members out of a parsed JSON object, with errors that name the member.
public struct JSONReader: Sendable {
    /// The object's members.
    public let members: [String: JSONValue]
    /// What is being read, for error messages (`betPlaced`).
    public let context: String

    /// A reader over `value`, which must be an object.
    public init(_ value: JSONValue, context: String) throws(JSONError) {
        guard case .object(let members) = value else { throw JSONError("\(context): expected a JSON object") }
        self.members = members
        self.context = context
    }

    /// The string member `name`.
    public func string(_ name: String) throws(JSONError) -> String {
        guard case .string(let value)? = members[name] else { throw JSONError("\(context): '\(name)' must be a string") }
        return value
    }

    /// The integer member `name`.
    public func integer(_ name: String) throws(JSONError) -> Int64 {
        guard case .integer(let value)? = members[name] else { throw JSONError("\(context): '\(name)' must be an integer") }
        return value
    }

    /// The integer member `name`, or nil when absent or null.
    public func optionalInteger(_ name: String) throws(JSONError) -> Int64? {
        switch members[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        default: throw JSONError("\(context): '\(name)' must be an integer")
        }
    }

    /// The number member `name` as a double.
    public func double(_ name: String) throws(JSONError) -> Double {
        switch members[name] {
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw JSONError("\(context): '\(name)' must be a number")
        }
    }

    /// The boolean member `name`.
    public func bool(_ name: String) throws(JSONError) -> Bool {
        guard case .bool(let value)? = members[name] else { throw JSONError("\(context): '\(name)' must be true or false") }
        return value
    }

    /// Throws when the object has members other than `known`.
    public func rejectUnknown(_ known: Set<String>) throws(JSONError) {
        if let extra = members.keys.first(where: { !known.contains($0) }) {
            throw JSONError("\(context): unknown member '\(extra)'")
        }
    }
}
