import AscentLog
import CRdKafka
import Synchronization

/// The delivery reports one `append` call waits for: a slot per record, completed from
/// librdkafka's delivery-report callback on the poller thread, awaited by the caller.
final class KafkaAppendBatch: Sendable {
    private struct State {
        var results: [AppendResult?]
        var firstError: LogError?
        /// Reports still expected, plus one while records are still being enqueued.
        var pending: Int
        var continuation: CheckedContinuation<[AppendResult], any Error>?
    }

    private let state: Mutex<State>

    /// A batch of `count` records.
    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), firstError: nil, pending: count + 1))
    }

    /// Records the delivery report of record `index`.
    func deliver(_ index: Int, _ outcome: Result<AppendResult, LogError>) {
        settle(1) { state in
            switch outcome {
            case .success(let result): state.results[index] = result
            case .failure(let error): if state.firstError == nil { state.firstError = error }
            }
        }
    }

    /// Records that the last `count` records were never enqueued, because of `error`.
    func abandon(_ count: Int, error: LogError) {
        settle(count) { state in if state.firstError == nil { state.firstError = error } }
    }

    /// Records that every record that will be enqueued has been.
    func finishEnqueuing() { settle(1) { _ in } }

    private func settle(_ count: Int, _ update: (inout State) -> Void) {
        let ready: (CheckedContinuation<[AppendResult], any Error>, Result<[AppendResult], any Error>)? = state.withLock { state in
            update(&state)
            state.pending -= count
            guard state.pending == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, Self.outcome(state))
        }
        if let (continuation, outcome) = ready { continuation.resume(with: outcome) }
    }

    private static func outcome(_ state: State) -> Result<[AppendResult], any Error> {
        if let error = state.firstError { return .failure(error) }
        return .success(state.results.map { $0! })
    }

    /// Waits until every enqueued record has its delivery report; throws the first failure.
    func wait() async throws -> [AppendResult] {
        try await withCheckedThrowingContinuation { continuation in
            let done: Result<[AppendResult], any Error>? = state.withLock { state in
                guard state.pending > 0 else { return Self.outcome(state) }
                state.continuation = continuation
                return nil
            }
            if let done { continuation.resume(with: done) }
        }
    }
}

/// Per-message context travelling through librdkafka as the message opaque: which batch and slot
/// the delivery report completes.
final class KafkaDeliverySlot {
    let batch: KafkaAppendBatch
    let index: Int
    let topic: String
    init(batch: KafkaAppendBatch, index: Int, topic: String) {
        self.batch = batch
        self.index = index
        self.topic = topic
    }
}

/// librdkafka's delivery-report callback, called on the thread that polls the producer.
/// A named top-level function, so it carries no actor isolation into C.
func kafkaDeliveryReport(_ client: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let context = message.pointee._private else { return }
    // Retained in `KafkaEventLog.enqueue`; the report is the one place it is released.
    let slot = Unmanaged<KafkaDeliverySlot>.fromOpaque(context).takeRetainedValue()
    let error = message.pointee.err
    if error == RD_KAFKA_RESP_ERR_NO_ERROR {
        let where_ = TopicPartition(topic: slot.topic, partition: message.pointee.partition)
        slot.batch.deliver(slot.index, .success(AppendResult(topicPartition: where_, offset: message.pointee.offset)))
    } else {
        slot.batch.deliver(slot.index, .failure(LogError(rdKafka: error, operation: "append to \(slot.topic)")))
    }
}
