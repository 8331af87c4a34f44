import Synchronization

/// A one-shot, awaitable "shut down now" event: services await it, then flush, commit and hand
/// over. Signals reach it through `SignalHandler.install`; code may also trigger it directly.
///
/// The first trigger wins and its reason sticks; later triggers change nothing.
public final class ShutdownSignal: Sendable {
    /// The process-wide event that `SignalHandler.install()` feeds by default.
    public static let shared = ShutdownSignal()

    private struct State {
        var reason: ShutdownReason?
        var waiters: [UInt64: CheckedContinuation<ShutdownReason, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A fresh, untriggered event (tests and embedded runs use their own; services use `shared`).
    public init() {}

    /// The reason shutdown started, or nil while running.
    public var reason: ShutdownReason? { state.withLock { $0.reason } }

    /// Whether shutdown has started.
    public var isShuttingDown: Bool { reason != nil }

    /// Starts shutdown with `reason` and wakes every waiter; returns false (and changes nothing)
    /// when shutdown had already started.
    @discardableResult
    public func trigger(_ reason: ShutdownReason) -> Bool {
        let waiters: [CheckedContinuation<ShutdownReason, any Error>]? = state.withLock { state in
            guard state.reason == nil else { return nil }
            state.reason = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters {
            waiter.resume(returning: reason)
        }
        return true
    }

    /// Suspends until shutdown starts and returns why; returns at once if it already has.
    /// Throws `CancellationError` if the waiting task is cancelled first.
    public func wait() async throws(CancellationError) -> ShutdownReason {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ShutdownReason, any Error>) in
                    let immediate: Result<ShutdownReason, CancellationError>? = state.withLock { state in
                        if let reason = state.reason { return .success(reason) }
                        // Cancelled before we registered: the cancellation handler found nothing
                        // to resume, so answer here.
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let immediate { continuation.resume(with: immediate) }
                }
            } onCancel: {
                let continuation = state.withLock { $0.waiters.removeValue(forKey: id) }
                continuation?.resume(throwing: CancellationError())
            }
        } catch {
            throw CancellationError()
        }
    }
}
