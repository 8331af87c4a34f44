/// Builds one JSON-lines log record into bytes: fixed fields first, then the caller's fields in
/// key order, strings escaped per RFC 8259 and capped in length so one line stays bounded.
struct JSONLineEncoder {
    /// Longest string value written, in UTF-8 bytes; longer values are cut and marked.
    static let maximumStringBytes = 8192
    /// Field names the record itself uses; a caller's field with one of these names gets a `_`
    /// prefix instead of producing a duplicate key.
    static let reservedKeys: Set<String> = ["ts", "level", "component", "msg"]

    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func finishLine() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    mutating func field(_ key: String, _ value: LogValue) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        switch value {
        case .string(let text):
            Self.appendString(text, to: &bytes)
        case .int(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isNaN {
                Self.appendString("NaN", to: &bytes)
            } else if number.isInfinite {
                Self.appendString(number > 0 ? "Infinity" : "-Infinity", to: &bytes)
            } else {
                bytes.append(contentsOf: number.description.utf8)
            }
        case .bool(let flag):
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        }
    }

    /// Appends `text` as a JSON string: quote, backslash and control characters escaped, other
    /// UTF-8 passed through; cut at a scalar boundary past `maximumStringBytes`.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var written = 0
        var truncated = false
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if written + width > maximumStringBytes {
                truncated = true
                break
            }
            written += width
            switch scalar.value {
            case 0x22: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case 0x5C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F, 0x2028, 0x2029:
                // Other control characters as \u00XX; DEL and the JavaScript line separators too,
                // so a log line is safe to paste into any JSON or JS tool.
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
                let hex = Array("0123456789abcdef".utf8)
                let value = scalar.value
                bytes.append(hex[Int((value >> 12) & 0xF)])
                bytes.append(hex[Int((value >> 8) & 0xF)])
                bytes.append(hex[Int((value >> 4) & 0xF)])
                bytes.append(hex[Int(value & 0xF)])
            default:
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        if truncated {
            bytes.append(contentsOf: "...(truncated)".utf8)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `2026-12-03T17:00:00.123Z` for milliseconds since the Unix epoch (proleptic Gregorian, UTC).
    static func iso8601(millisecondsSinceEpoch milliseconds: Int64) -> String {
        let (days, millisOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = millisOfDay / 3_600_000
        let minute = millisOfDay / 60_000 % 60
        let second = millisOfDay / 1000 % 60
        let millisecond = millisOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Howard Hinnant's days-to-civil algorithm: exact for every day, no tables, no time zone files.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
