import Foundation

/// A dedicated thread that owns one `PQConnection` and runs jobs on it one at a time, so blocking
/// libpq calls never occupy Swift's shared concurrency pool. Async callers hand it a closure and
/// await the result through a continuation.
///
/// The connection is opened lazily on the worker thread and replaced after a connection loss;
/// `onConnect` runs on every new connection (e.g. to LISTEN again). Call `stop()` when done: the
/// thread keeps the worker alive until then.
public final class PQWorker: @unchecked Sendable {
    // @unchecked Sendable: `condition` guards `jobs` and `stopping`; `connection` is read and written
    // only on the worker thread (inside jobs and the thread's loop).
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var connection: PQConnection?
    private let url: String
    private let maxPendingJobs: Int
    private let onConnect: (@Sendable (PQConnection) throws(PQError) -> Void)?

    /// A worker connecting to `url`, named `name` (visible in debuggers), refusing more than
    /// `maxPendingJobs` queued jobs (callers get a retriable error and should back off).
    public init(url: String, name: String, maxPendingJobs: Int = 1_024,
                onConnect: (@Sendable (PQConnection) throws(PQError) -> Void)? = nil) {
        self.url = url
        self.maxPendingJobs = maxPendingJobs
        self.onConnect = onConnect
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the worker's connection and returns its result. A connection loss drops the
    /// connection so the next job reconnects; the error is rethrown (the caller decides to retry).
    public func run<T: Sendable>(_ operation: String,
                                 _ body: @escaping @Sendable (PQConnection) throws(PQError) -> T) async throws(PQError) -> T {
        let result: Result<T, PQError> = await withCheckedContinuation { continuation in
            let job: () -> Void = { [self] in
                do throws(PQError) {
                    let connection = try self.connected()
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    if error.isConnectionLoss || !(self.connection?.isHealthy ?? false) { self.connection = nil }
                    continuation.resume(returning: .failure(error))
                }
            }
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(returning: .failure(PQError(sqlState: "57P01", message: "the connection's worker was stopped",
                                                                operation: operation)))
            } else if jobs.count >= maxPendingJobs {
                condition.unlock()
                continuation.resume(returning: .failure(PQError(sqlState: "53300",
                                                                message: "\(maxPendingJobs) jobs already wait for this connection",
                                                                operation: operation)))
            } else {
                jobs.append(job)
                condition.signal()
                condition.unlock()
            }
        }
        return try result.get()
    }

    /// Finishes the queued jobs, closes the connection and ends the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// The open connection, connecting (and running `onConnect`) when there is none. Worker thread only.
    private func connected() throws(PQError) -> PQConnection {
        if let connection, connection.isHealthy { return connection }
        connection = nil
        let fresh = try PQConnection(url: url)
        try onConnect?(fresh)
        connection = fresh
        return fresh
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                break
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
        // Close on the owning thread.
        connection = nil
    }
}
