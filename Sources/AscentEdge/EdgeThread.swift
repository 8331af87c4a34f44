import Glibc

/// A dedicated OS thread for an epoll loop or the event dispatcher, kept off Swift's shared
/// concurrency pool (AscentRuntime's PosixThread is internal to that target).
struct EdgeThread: Sendable {
    let handle: pthread_t

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread; stops the process if the system refuses.
    static func spawn(_ body: @escaping @Sendable () -> Void) -> EdgeThread {
        // Ownership: the retained box is released by the thread itself once `body` returns.
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed with \(status)")
        return EdgeThread(handle: handle)
    }

    /// Whether the caller is running on this thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), handle) != 0 }

    /// Waits for the thread to finish.
    func join() {
        precondition(!isCurrent, "a thread cannot join itself")
        pthread_join(handle, nil)
    }
}
