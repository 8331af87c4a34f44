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
        JSONWriter.appendInteger(value, to: &bytes)
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
        var value = value
        value.withUTF8 { utf8 in
            // Ids, codes and names rarely need escaping: copy those whole rather than byte by byte.
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
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
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `value` in decimal, without making a `String` of it first.
    public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var index = end - 1
            var remaining = magnitude
            repeat {
                buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                index -= 1
            } while remaining > 0
        }
    }
}

/// Reads typed members out of a JSON object, with errors that name the member.
///
/// Events and commands are small flat objects read by every consumer of the log, so the reader keeps
/// the members in document order and finds one by a short linear search: no dictionary to build and
/// hash on the hot path (`init(parsing:context:)`).
public struct JSONReader: Sendable {
    /// One member of the object.
    public struct Member: Sendable {
        /// The member's name.
        public var name: String
        /// The member's value.
        public var value: JSONValue
    }

    /// The object's members in document order (names are unique).
    public let entries: [Member]
    /// What is being read, for error messages (`betPlaced`).
    public let context: String

    /// The object's members by name.
    public var members: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.value) })
    }

    /// A reader over `value`, which must be an object.
    public init(_ value: JSONValue, context: String) throws(JSONError) {
        guard case .object(let members) = value else { throw JSONError("\(context): expected a JSON object") }
        self.init(entries: members.map { Member(name: $0.key, value: $0.value) }, context: context)
    }

    /// Parses one JSON document from UTF-8 bytes (RFC 8259), which must be an object.
    public init(parsing bytes: [UInt8], context: String, maxDepth: Int = 64) throws(JSONError) {
        let entries = try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            parser.skipWhitespace()
            guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else {
                // Say what is wrong with a document that is not even JSON before saying it is no object.
                _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
                throw JSONError("\(context): expected a JSON object")
            }
            let entries = try parser.parseMembers(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.failure("trailing characters after the document") }
            return entries
        }
        self.init(entries: entries, context: context)
    }

    private init(entries: [Member], context: String) {
        self.entries = entries
        self.context = context
    }

    /// The same members, read as `context` (to name an event's type in errors once it is known).
    public func reading(as context: String) -> JSONReader { JSONReader(entries: entries, context: context) }

    /// The member `name`, or nil.
    public subscript(name: String) -> JSONValue? {
        for entry in entries where entry.name == name { return entry.value }
        return nil
    }

    /// The string member `name`.
    public func string(_ name: String) throws(JSONError) -> String {
        guard case .string(let value)? = self[name] else { throw JSONError("\(context): '\(name)' must be a string") }
        return value
    }

    /// The integer member `name`.
    public func integer(_ name: String) throws(JSONError) -> Int64 {
        guard case .integer(let value)? = self[name] else { throw JSONError("\(context): '\(name)' must be an integer") }
        return value
    }

    /// The integer member `name`, or nil when absent or null.
    public func optionalInteger(_ name: String) throws(JSONError) -> Int64? {
        switch self[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        default: throw JSONError("\(context): '\(name)' must be an integer")
        }
    }

    /// The number member `name` as a double.
    public func double(_ name: String) throws(JSONError) -> Double {
        switch self[name] {
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw JSONError("\(context): '\(name)' must be a number")
        }
    }

    /// The boolean member `name`.
    public func bool(_ name: String) throws(JSONError) -> Bool {
        guard case .bool(let value)? = self[name] else { throw JSONError("\(context): '\(name)' must be true or false") }
        return value
    }

    /// Throws when the object has members other than `known`.
    public func rejectUnknown(_ known: [String]) throws(JSONError) {
        if let extra = entries.first(where: { !known.contains($0.name) }) {
            throw JSONError("\(context): unknown member '\(extra.name)'")
        }
    }
}
