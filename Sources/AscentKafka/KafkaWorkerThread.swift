import AscentLog
import Foundation

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
