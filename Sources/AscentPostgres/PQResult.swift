/// The rows of a query, copied out of libpq's PGresult before it was cleared. Values are in
/// PostgreSQL's binary format (we ask for it): integers big-endian, text and bytea as raw bytes.
public struct PQResult: Sendable {
    /// Each row's values; nil is SQL NULL.
    public var rows: [[[UInt8]?]]
    /// The command tag's row count for INSERT/UPDATE/DELETE ("" when none).
    public var affectedRows: Int

    /// Rows copied from a result.
    public init(rows: [[[UInt8]?]], affectedRows: Int) {
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The raw bytes at `row`, `column`; nil for NULL.
    public func bytes(_ row: Int, _ column: Int) -> [UInt8]? { rows[row][column] }

    /// The text at `row`, `column`; nil for NULL.
    public func text(_ row: Int, _ column: Int) -> String? { rows[row][column].map { String(decoding: $0, as: UTF8.self) } }

    /// The integer (int2, int4 or int8 by its length) at `row`, `column`; nil for NULL.
    public func int64(_ row: Int, _ column: Int) -> Int64? {
        guard let bytes = rows[row][column] else { return nil }
        return Self.decodeInteger(bytes)
    }

    /// The boolean at `row`, `column`; nil for NULL.
    public func bool(_ row: Int, _ column: Int) -> Bool? { rows[row][column].map { $0.first == 1 } }

    /// A big-endian two's-complement integer of 1 to 8 bytes.
    static func decodeInteger(_ bytes: [UInt8]) -> Int64 {
        precondition((1...8).contains(bytes.count), "not a binary integer: \(bytes.count) bytes")
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        let shift = UInt64(64 - 8 * bytes.count)
        // Shift up and back to sign-extend values narrower than 8 bytes.
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}

/// A query parameter, sent in text format (binary for `bytes`), or NULL.
public enum PQParameter: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A text-format value: PostgreSQL parses it as the parameter's type (numbers, arrays, ...).
    case text(String)
    /// A binary-format value: for bytea, the raw bytes.
    case bytes([UInt8])
    /// SQL NULL.
    case null

    /// A text parameter.
    public init(stringLiteral value: String) { self = .text(value) }
    /// An integer parameter.
    public init(integerLiteral value: Int) { self = .text(String(value)) }
    /// An integer parameter.
    public static func int(_ value: some BinaryInteger) -> PQParameter { .text(String(value)) }
}
