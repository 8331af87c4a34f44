import Glibc

/// A dedicated OS thread for blocking work (poll loops, sigwait-style readers), kept off Swift's
/// shared concurrency pool as the house style asks.
struct PosixThread: Sendable {
    let handle: pthread_t

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread; stops the process if the system refuses (out of threads is
    /// not something a service can carry on from at start-up).
    static func spawn(_ body: @escaping @Sendable () -> Void) -> PosixThread {
        // Ownership: the retained box is released by the thread itself once `body` returns.
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed with \(status)")
        return PosixThread(handle: handle)
    }

    /// Whether the caller is running on this thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), handle) != 0 }

    /// Waits for the thread to finish.
    func join() {
        precondition(!isCurrent, "a thread cannot join itself")
        pthread_join(handle, nil)
    }
}
