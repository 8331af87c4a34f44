/// Builds rows in COPY's text format (`COPY … FROM STDIN`): fields separated by tabs, rows ended by
/// newlines, `\N` for NULL, and backslash escapes for what would break the layout. For
/// `PQConnection.copyIn`: the server inserts the rows with multi-row WAL records and parses no
/// array literals, which is what a batch of thousands of narrow rows costs least as.
public struct PQCopyRows: Sendable {
    /// The rows so far.
    public private(set) var bytes: [UInt8] = []
    /// Rows ended so far.
    public private(set) var count = 0
    private var rowIsEmpty = true

    /// No rows yet.
    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends an integer field.
    public mutating func append(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        pad(value.magnitude, Self.decimalDigits(value.magnitude))
    }

    /// Appends an integer field, or NULL.
    public mutating func append(_ value: Int64?) {
        if let value { append(value) } else { appendNull() }
    }

    /// Appends a text field, escaped; NULL when nil.
    public mutating func append(text: String?) {
        guard let text else { return appendNull() }
        separate()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(byte)
            }
        }
    }

    /// Appends a `timestamptz` field for `milliseconds` since 1970-01-01 UTC, as
    /// `YYYY-MM-DD HH:MM:SS.mmm+00` in the proleptic Gregorian calendar (`… BC` before year 1), exact
    /// to the millisecond (as `to_timestamp(ms / 1000.0)` is for instants of this era; far from it,
    /// its double rounds); the server refuses what its range lacks.
    public mutating func append(timestampMilliseconds milliseconds: Int64) {
        separate()
        let (days, inDay) = Self.floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        // Year 0 is 1 BC; a year of more than four digits is written whole.
        let shownYear = UInt64(year >= 1 ? year : 1 - year)
        pad(shownYear, max(4, Self.decimalDigits(shownYear)), then: "-")
        pad(UInt64(month), 2, then: "-")
        pad(UInt64(day), 2, then: " ")
        pad(UInt64(inDay / 3_600_000), 2, then: ":")
        pad(UInt64(inDay / 60_000 % 60), 2, then: ":")
        pad(UInt64(inDay / 1_000 % 60), 2, then: ".")
        pad(UInt64(inDay % 1_000), 3, then: "+")
        bytes.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "0")])
        if year < 1 { bytes.append(contentsOf: Array(" BC".utf8)) }
    }

    /// Appends NULL.
    public mutating func appendNull() {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0A)
        count += 1
        rowIsEmpty = true
    }

    private mutating func separate() {
        if !rowIsEmpty { bytes.append(0x09) }
        rowIsEmpty = false
    }

    /// `value` in decimal, zero-padded to `width` digits, then `separator`.
    private mutating func pad(_ value: UInt64, _ width: Int, then separator: Unicode.Scalar) {
        pad(value, width)
        bytes.append(UInt8(ascii: separator))
    }

    /// How many decimal digits `value` has (1 for 0).
    private static func decimalDigits(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return digits
    }

    /// `value` in decimal, zero-padded to `width` digits.
    private mutating func pad(_ value: UInt64, _ width: Int) {
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The Gregorian date `days` after 1970-01-01 (H. Hinnant's civil-from-days, by 400-year eras).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468                                   // from 0000-03-01
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097                         // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)   // from March 1
        let monthIndex = (5 * dayOfYear + 2) / 153                     // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
