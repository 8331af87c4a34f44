import AscentLog

/// Packs a record's headers into one bytea for `log_records.headers`: per header a 2-byte name
/// length, the name's UTF-8, a 4-byte value length and the value (lengths big-endian).
enum LogHeaderCodec {
    static func encode(_ headers: [LogHeader]) -> [UInt8] {
        var bytes: [UInt8] = []
        for header in headers {
            let name = Array(header.name.utf8)
            precondition(name.count <= Int(UInt16.max) && header.value.count <= Int(UInt32.max), "header too large")
            bytes.append(UInt8(name.count >> 8)); bytes.append(UInt8(name.count & 0xff))
            bytes += name
            let length = UInt32(header.value.count)
            bytes += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            bytes += header.value
        }
        return bytes
    }

    /// The headers in `bytes`; a malformed column is corruption and stops the process.
    static func decode(_ bytes: [UInt8]) -> [LogHeader] {
        var headers: [LogHeader] = []
        var index = 0
        func take(_ count: Int) -> ArraySlice<UInt8> {
            precondition(index + count <= bytes.count, "corrupt headers in log_records")
            defer { index += count }
            return bytes[index..<index + count]
        }
        while index < bytes.count {
            let nameLength = take(2).reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: take(nameLength), as: UTF8.self)
            let valueLength = take(4).reduce(0) { $0 << 8 | Int($1) }
            headers.append(LogHeader(name: name, value: Array(take(valueLength))))
        }
        return headers
    }
}
