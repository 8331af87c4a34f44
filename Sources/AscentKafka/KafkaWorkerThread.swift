import AscentLog
import Foundation
import Synchronization

/// A dedicated OS thread that runs librdkafka's blocking calls (poll, flush, metadata, commit)
/// one at a time, so that they never occupy Swift's shared concurrency pool.
///
/// With an `idle` body (the producer's delivery-report poller) the thread runs it whenever no job
/// is queued; the body must return within ~100 ms so that jobs and `stop()` are not delayed.
final class KafkaWorkerThread: Sendable {
    /// Jobs waiting at most; `run` throws beyond it rather than growing without bound.
    static let maximumQueuedJobs = 4096

    /// The queue shared with the thread, which holds it strongly, so the thread never outlives it.
    ///
    /// `@unchecked Sendable`: `jobs`, `stopping` and `finished` are only touched under `condition`.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [() -> Void] = []
        var stopping = false
        var finished = false
        var thread: Thread?
    }

    private let queue = Queue()
    private let name: String

    /// Starts a thread called `name`; `idle` (if any) runs whenever no job waits.
    init(name: String, idle: (@Sendable () -> Void)? = nil) {
        self.name = name
        let thread = Thread { [queue] in Self.loop(queue, idle: idle) }
        thread.name = name
        queue.thread = thread
        thread.start()
    }

    deinit { stop() }

    private static func loop(_ queue: Queue, idle: (@Sendable () -> Void)?) {
        let condition = queue.condition
        while true {
            condition.lock()
            while queue.jobs.isEmpty && !queue.stopping && idle == nil { condition.wait() }
            if queue.jobs.isEmpty && queue.stopping {
                queue.finished = true
                queue.thread = nil  // breaks the queue ↔ thread cycle so both (and `idle`) are freed
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue.jobs
            queue.jobs.removeAll()
            condition.unlock()
            if batch.isEmpty { idle?() } else { for job in batch { job() } }
        }
    }

    /// Runs `body` on the thread and returns its result; throws when the thread is stopping or
    /// its queue is full.
    func run<Result: Sendable>(_ operation: String, _ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let condition = queue.condition
            condition.lock()
            let refusal: LogError? = if queue.stopping {
                LogError(code: "CLOSED", reason: "\(name) is shut down", operation: operation, isRetriable: false)
            } else if queue.jobs.count >= Self.maximumQueuedJobs {
                LogError(code: "QUEUE_FULL", reason: "\(name) has \(queue.jobs.count) jobs queued",
                         operation: operation, isRetriable: true)
            } else {
                nil
            }
            if refusal == nil {
                queue.jobs.append {
                    do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
                }
                condition.signal()
            }
            condition.unlock()
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    /// Runs `body` on the thread like `run(_:_:)`, but stops waiting after `deadlineMilliseconds`
    /// and throws a retriable `_TIMED_OUT`. librdkafka does not always honour its own timeouts
    /// (they are checked about once a second, and some calls wait for a reply regardless); the
    /// abandoned call still finishes on the thread, delaying later jobs, and its result is dropped.
    func run<Result: Sendable>(_ operation: String, deadlineMilliseconds: Int,
                               _ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let once = KafkaFirstOutcome<Result>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            once.install(continuation)
            let timer = Task {
                try await Task.sleep(for: .milliseconds(deadlineMilliseconds))
                once.resume(.failure(LogError(code: "_TIMED_OUT", reason: "no answer within \(deadlineMilliseconds) ms",
                                              operation: operation, isRetriable: true)))
            }
            Task {
                let outcome: Swift.Result<Result, any Error>
                do { outcome = .success(try await self.run(operation, body)) } catch { outcome = .failure(error) }
                timer.cancel()
                once.resume(outcome)
            }
        }
    }

    /// Lets queued jobs finish, then ends the thread; waits for it unless called on the thread
    /// itself (then the thread ends after the current job).
    func stop() {
        let condition = queue.condition
        condition.lock()
        queue.stopping = true
        condition.broadcast()
        if !queue.finished, Thread.current !== queue.thread {
            while !queue.finished { condition.wait() }
        }
        condition.unlock()
    }
}

/// Resumes a continuation with whichever outcome comes first (a result or a deadline).
private final class KafkaFirstOutcome<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ outcome: Result<Value, any Error>) {
        let waiting = continuation.withLock { stored -> CheckedContinuation<Value, any Error>? in
            defer { stored = nil }
            return stored
        }
        waiting?.resume(with: outcome)
    }
}
