/// The value of one structured log field: a string, an integer, a double or a boolean, written as
/// the matching JSON type. Literals convert directly: `["table": "main", "round": 12]`.
public enum LogValue: Sendable, Equatable {
    /// A JSON string.
    case string(String)
    /// A JSON integer.
    case int(Int64)
    /// A JSON number; NaN and infinities, which JSON lacks, are written as strings.
    case double(Double)
    /// A JSON boolean.
    case bool(Bool)
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByStringInterpolation
{
    /// A string field from a literal or an interpolation.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer field from a literal.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A double field from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A boolean field from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension LogValue {
    /// An integer field from any integer type (values beyond Int64 are clamped).
    public static func int<Value: BinaryInteger>(_ value: Value) -> LogValue {
        .int(Int64(clamping: value))
    }
}
