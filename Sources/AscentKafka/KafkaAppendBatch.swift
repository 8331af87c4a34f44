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
