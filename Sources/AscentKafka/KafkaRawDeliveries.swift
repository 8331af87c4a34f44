import AscentLog
import CRdKafka
import Synchronization

/// Delivery latencies of the raw reference (microseconds), collected on the polling thread.
final class KafkaRawDeliveries: Sendable {
    private let state = Mutex<(latencies: [Int], failure: LogError?)>(([], nil))
    var count: Int { state.withLock { $0.latencies.count } }
    var failure: LogError? { state.withLock { $0.failure } }
    func record(_ microseconds: Int) { state.withLock { $0.latencies.append(microseconds) } }
    func fail(_ error: LogError) { state.withLock { $0.failure = $0.failure ?? error } }
    /// The latencies so far, emptied.
    @discardableResult func reset() -> [Int] {
        state.withLock { state in
            defer { state.latencies = [] }
            return state.latencies
        }
    }
}

/// The raw reference's delivery-report callback: latency from the enqueue time in the opaque.
func rawBenchmarkDelivery(_ client: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let opaque else { return }
    let deliveries = Unmanaged<KafkaRawDeliveries>.fromOpaque(opaque).takeUnretainedValue()
    if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
        deliveries.fail(LogError(rdKafka: message.pointee.err, operation: "raw delivery"))
    }
    let enqueued = Int(bitPattern: UInt(bitPattern: message.pointee._private))
    deliveries.record((monotonicNanoseconds() - enqueued) / 1_000)
}
