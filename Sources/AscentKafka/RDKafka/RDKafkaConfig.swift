import AscentLog
import CRdKafka

/// A librdkafka configuration (`rd_kafka_conf_t`): every property librdkafka knows passes through
/// by name, and a property it rejects is an error naming the property, never silently dropped.
///
/// Not Sendable: a configuration is built by one task and then handed to `RDKafkaClient`, which
/// copies it.
public final class RDKafkaConfig {
    /// Owned: created here, destroyed in deinit. `RDKafkaClient` gets a duplicate, never this one.
    private let handle: OpaquePointer

    /// An empty configuration (librdkafka's defaults) with `properties` applied in key order.
    public init(_ properties: [String: String] = [:]) throws {
        handle = rd_kafka_conf_new()
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            try set(name, value)
        }
    }

    deinit { rd_kafka_conf_destroy(handle) }

    /// Sets one librdkafka property (see librdkafka's CONFIGURATION.md); throws when librdkafka
    /// rejects the name or the value.
    public func set(_ name: String, _ value: String) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_conf_set copies name and value; errorText is ours and only written into.
        let result = rd_kafka_conf_set(handle, name, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw LogError(code: result == RD_KAFKA_CONF_UNKNOWN ? "CONF_UNKNOWN" : "CONF_INVALID",
                           reason: detail.isEmpty ? "librdkafka rejected \(name)=\(value)" : detail,
                           operation: "configure \(name)", isRetriable: false)
        }
    }

    /// The current value of property `name`, or nil when librdkafka does not know it.
    public func value(of name: String) -> String? {
        var size = 0
        guard rd_kafka_conf_get(handle, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(handle, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Lends the raw handle for the duration of `body` (to install callbacks or the opaque);
    /// the pointer must not escape.
    func withUnsafeHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }

    /// A copy of the raw configuration, owned by the caller (who hands it to `rd_kafka_new`, which
    /// takes it only on success, or destroys it).
    func makeDuplicate() -> OpaquePointer {
        rd_kafka_conf_dup(handle)
    }
}
