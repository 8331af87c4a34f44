import AscentLog

/// Packs a record's headers into one field of a record batch (`LogBatchCodec`): per header a 2-byte name
/// length, the name's UTF-8, a 4-byte value length and the value (lengths big-endian).
enum LogHeaderCodec {
    static func encode(_ headers: [LogHeader]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedSize(headers))
        append(headers, to: &bytes)
        return bytes
    }

    /// The number of bytes `headers` pack into.
    static func encodedSize(_ headers: [LogHeader]) -> Int {
        headers.reduce(0) { $0 + 6 + $1.name.utf8.count + $1.value.count }
    }

    /// Packs `headers` at the end of `bytes`, without temporary arrays (this runs for every record
    /// of every append).
    static func append(_ headers: [LogHeader], to bytes: inout [UInt8]) {
        for header in headers {
            let nameLength = header.name.utf8.count
            precondition(nameLength <= Int(UInt16.max) && header.value.count <= Int(UInt32.max), "header too large")
            bytes.append(UInt8(nameLength >> 8)); bytes.append(UInt8(nameLength & 0xff))
            bytes.append(contentsOf: header.name.utf8)
            let length = UInt32(header.value.count)
            bytes.append(UInt8(length >> 24)); bytes.append(UInt8(length >> 16 & 0xff))
            bytes.append(UInt8(length >> 8 & 0xff)); bytes.append(UInt8(length & 0xff))
            bytes.append(contentsOf: header.value)
        }
    }

    /// The headers in `bytes`; a malformed column is corruption and stops the process.
    static func decode(_ bytes: [UInt8]) -> [LogHeader] {
        var headers: [LogHeader] = []
        var index = 0
        func take(_ count: Int) -> ArraySlice<UInt8> {
            precondition(index + count <= bytes.count, "corrupt headers in log_batches")
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

/// Packs one append's records for one partition into one `log_batches.records` value: per record
/// a 4-byte key length, the key, a 4-byte value length, the value, a 4-byte headers length and the
/// headers packed by `LogHeaderCodec` (lengths big-endian). migrations/0003_record_batches.sql
/// reads the same layout in `log_read`.
enum LogBatchCodec {
    static func append(_ record: OutgoingRecord, to bytes: inout [UInt8]) {
        appendLength(record.key.count, to: &bytes)
        bytes.append(contentsOf: record.key)
        appendLength(record.value.count, to: &bytes)
        bytes.append(contentsOf: record.value)
        appendLength(LogHeaderCodec.encodedSize(record.headers), to: &bytes)
        LogHeaderCodec.append(record.headers, to: &bytes)
    }

    /// The number of bytes `record` packs into.
    static func encodedSize(_ record: OutgoingRecord) -> Int {
        12 + record.key.count + record.value.count + LogHeaderCodec.encodedSize(record.headers)
    }

    /// Calls `body` with each of the `count` records in `bytes`, in order; a malformed batch is
    /// corruption and stops the process.
    static func forEach(in bytes: [UInt8], count: Int, _ body: (_ index: Int, _ key: [UInt8], _ value: [UInt8], _ headers: [LogHeader]) -> Bool) {
        var position = 0
        func field() -> ArraySlice<UInt8> {
            precondition(position + 4 <= bytes.count, "corrupt record batch in log_batches")
            let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            precondition(position + 4 + length <= bytes.count, "corrupt record batch in log_batches")
            defer { position += 4 + length }
            return bytes[(position + 4)..<(position + 4 + length)]
        }
        for index in 0..<count {
            let key = field(), value = field(), headers = field()
            guard body(index, Array(key), Array(value), LogHeaderCodec.decode(Array(headers))) else { return }
        }
        precondition(position == bytes.count, "corrupt record batch in log_batches: \(bytes.count - position) bytes left over")
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        precondition(length <= Int(UInt32.max), "record field too large")
        bytes.append(UInt8(truncatingIfNeeded: length >> 24))
        bytes.append(UInt8(truncatingIfNeeded: length >> 16))
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
    }
}
