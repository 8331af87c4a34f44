import CRdKafka
import Synchronization

/// The latest statistics JSON librdkafka emitted for a producer (every `statistics.interval.ms`;
/// off by default): retries, request timeouts, queue depths, latencies per broker.
final class KafkaStatistics: Sendable {
    private let latest = Mutex<String?>(nil)

    /// The last JSON document, or nil before the first one.
    var json: String? { latest.withLock { $0 } }

    func store(_ json: String) { latest.withLock { $0 = json } }
}

/// librdkafka's statistics callback; the opaque is the client's `KafkaStatistics`. Returns 0 so
/// that librdkafka frees the JSON buffer, which is copied here first.
func kafkaStatistics(_ client: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int,
                     _ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let json, let opaque else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
    Unmanaged<KafkaStatistics>.fromOpaque(opaque).takeUnretainedValue().store(text)
    return 0
}
