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

    mutating func timestampField(_ key: String, millisecondsSinceEpoch: Int64) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        Self.appendString(key, to: &bytes)
        bytes.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: "\"")])
        Self.appendISO8601(millisecondsSinceEpoch: millisecondsSinceEpoch, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
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
    /// UTF-8 passed through; cut at a character boundary past `maximumStringBytes`.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        // Works on the UTF-8 bytes directly: every byte that needs escaping is ASCII, except the
        // line separators U+2028/U+2029 (E2 80 A8/A9), escaped so lines paste safely into JS.
        text.withUTF8 { utf8 in
            var end = utf8.count
            var truncated = false
            if end > maximumStringBytes {
                end = maximumStringBytes
                // Back up to the start of a scalar (continuation bytes are 10xxxxxx).
                while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
                truncated = true
            }
            var index = 0
            while index < end {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(byte)
                case 0x0A:
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(UInt8(ascii: "n"))
                case 0x0D:
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(UInt8(ascii: "r"))
                case 0x09:
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(UInt8(ascii: "t"))
                case 0x00..<0x20, 0x7F:
                    appendUnicodeEscape(UInt32(byte), to: &bytes)
                case 0xE2 where index + 2 < end && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    appendUnicodeEscape(utf8[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &bytes)
                    index += 2
                default:
                    bytes.append(byte)
                }
                index += 1
            }
            if truncated {
                bytes.append(contentsOf: "...(truncated)".utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "u"))
        for shift: UInt32 in [12, 8, 4, 0] {
            let digit = UInt8((value >> shift) & 0xF)
            bytes.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// Appends `2026-12-03T17:00:00.123Z` for milliseconds since the Unix epoch (UTC).
    static func appendISO8601(millisecondsSinceEpoch milliseconds: Int64, to bytes: inout [UInt8]) {
        let (days, millisOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(millisOfDay / 3_600_000, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(millisOfDay / 60_000 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(millisOfDay / 1000 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(millisOfDay % 1000, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `2026-12-03T17:00:00.123Z` for milliseconds since the Unix epoch (proleptic Gregorian, UTC).
    static func iso8601(millisecondsSinceEpoch milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendISO8601(millisecondsSinceEpoch: milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Zero-padded decimal digits; a year outside 0...9999 is written in full with its sign.
    private static func appendDigits(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        if value < 0 || (width == 4 && value > 9999) {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
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
}
