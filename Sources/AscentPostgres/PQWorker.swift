import AscentRuntime
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
    private var openConnection: PQConnection?
    /// The worker thread; set once in init before it starts.
    private var thread: Thread?
    private let url: String
    private let name: String
    private let maxPendingJobs: Int
    private let niceness: Int32
    private let onConnect: (@Sendable (PQConnection) throws(PQError) -> Void)?

    /// A worker connecting to `url`, named `name` (its thread's name and the session's
    /// application_name), refusing more than
    /// `maxPendingJobs` queued jobs (callers get a retriable error and should back off).
    ///
    /// A `niceness` above 0 marks background work (`Niceness`): the worker's thread runs at that
    /// nice value, and so does its server session where the OS lets this process renice it.
    public init(url: String, name: String, maxPendingJobs: Int = 1_024, niceness: Int32 = 0,
                onConnect: (@Sendable (PQConnection) throws(PQError) -> Void)? = nil) {
        self.url = url
        self.name = name
        self.thread = nil
        self.maxPendingJobs = maxPendingJobs
        self.niceness = niceness
        self.onConnect = onConnect
        let thread = Thread { [self] in
            Niceness.applyToCurrentThread(niceness)
            loop()
        }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Runs `body` on the worker's connection and returns its result. A connection loss drops the
    /// connection so the next job reconnects; the error is rethrown (the caller decides to retry).
    public func run<T: Sendable>(_ operation: String,
                                 _ body: @escaping @Sendable (PQConnection) throws(PQError) -> T) async throws(PQError) -> T {
        let result: Result<T, PQError> = await withCheckedContinuation { continuation in
            let accepted = enqueue(operation) { [self] in
                do throws(PQError) {
                    continuation.resume(returning: .success(try body(try connection())))
                } catch {
                    if error.isConnectionLoss { dropConnection() }
                    continuation.resume(returning: .failure(error))
                }
            }
            if case .failure(let error) = accepted { continuation.resume(returning: .failure(error)) }
        }
        return try result.get()
    }

    /// Queues `job` to run on the worker thread; fails when the worker is stopped or its queue is full.
    /// Inside the job, `connection()` and `dropConnection()` may be used.
    @discardableResult
    public func enqueue(_ operation: String, _ job: @escaping @Sendable () -> Void) -> Result<Void, PQError> {
        condition.lock()
        defer { condition.unlock() }
        if stopping {
            return .failure(PQError(sqlState: "55000", message: "the connection's worker was stopped", operation: operation))
        }
        if jobs.count >= maxPendingJobs {
            return .failure(PQError(sqlState: "53300", message: "\(maxPendingJobs) jobs already wait for this connection",
                                    operation: operation))
        }
        jobs.append(job)
        condition.signal()
        return .success(())
    }

    /// The open connection, connecting (and running `onConnect`) when there is none.
    /// Only on the worker thread, from inside a job.
    public func connection() throws(PQError) -> PQConnection {
        precondition(Thread.current === thread, "a PQConnection is used only on its worker's thread")
        if let openConnection, openConnection.isHealthy { return openConnection }
        openConnection = nil
        let fresh = try PQConnection(url: url, applicationName: name)
        Niceness.apply(niceness, toProcess: fresh.backendProcessID)
        try onConnect?(fresh)
        openConnection = fresh
        return fresh
    }

    /// Closes the connection so the next `connection()` opens a new one (after a connection loss,
    /// or to abandon a connection whose state is unknown). Only on the worker thread.
    public func dropConnection() {
        precondition(Thread.current === thread, "a PQConnection is used only on its worker's thread")
        openConnection = nil
    }

    /// Finishes the queued jobs, closes the connection and ends the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
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
        openConnection = nil
    }
}
