import AscentCore

/// One record of a log as a line of text: the format of golden logs and exported logs.
///
///     {"topic":"ascent.round-events","partition":0,"offset":7,"key":"main","value":{...the event...}}
///
/// `value` is the record's JSON value verbatim and always the last member, so a line can be edited
/// by hand and read back byte for byte.
public struct LogLine: Hashable, Sendable {
    /// The record's topic.
    public var topic: String
    /// Its partition.
    public var partition: Int32
    /// Its offset in the partition.
    public var offset: Int64
    /// Its key as text (table id or player id).
    public var key: String
    /// Its JSON value, verbatim.
    public var value: [UInt8]

    /// A line for the record at `offset` of `partition` of `topic`.
    public init(topic: String, partition: Int32, offset: Int64, key: String, value: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
    }

    /// The line's text, without the newline.
    public var text: [UInt8] {
        var bytes: [UInt8] = Array("{\"topic\":".utf8)
        JSONWriter.appendString(topic, to: &bytes)
        bytes += Array(",\"partition\":\(partition),\"offset\":\(offset),\"key\":".utf8)
        JSONWriter.appendString(key, to: &bytes)
        bytes += Array(",\"value\":".utf8)
        bytes += value
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Reads a line written by `text`; throws, saying what is wrong, on anything else.
    public init(parsing line: some Collection<UInt8>) throws(JSONError) {
        let bytes = Array(line)
        let marker = Array(",\"value\":".utf8)
        guard let start = Self.firstIndex(of: marker, in: bytes), bytes.last == UInt8(ascii: "}") else {
            throw JSONError("a log line ends with ,\"value\":{...}}")
        }
        let value = Array(bytes[(start + marker.count)..<(bytes.count - 1)])
        // Parse the whole line as well, so a broken value or header is refused rather than half-read.
        let reader = try JSONReader(JSONValue.parse(bytes), context: "log line")
        try reader.rejectUnknown(["topic", "partition", "offset", "key", "value"])
        _ = try JSONValue.parse(value)
        let partition = try reader.integer("partition")
        guard let partition32 = Int32(exactly: partition), partition32 >= 0 else { throw JSONError("log line: partition \(partition) out of range") }
        self.init(topic: try reader.string("topic"), partition: partition32, offset: try reader.integer("offset"),
                  key: try reader.string("key"), value: value)
    }

    /// The first `,"value":` outside any string: inside a JSON string a quote is always escaped,
    /// so the first bare occurrence is the member's, whatever the value holds.
    private static func firstIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        var index = 0
        while index + marker.count <= bytes.count {
            var matches = true
            for offset in 0..<marker.count where bytes[index + offset] != marker[offset] {
                matches = false
                break
            }
            if matches { return index }
            index += 1
        }
        return nil
    }
}
