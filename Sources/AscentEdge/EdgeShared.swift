import AscentRuntime
import Glibc
import Synchronization

/// What the workers of one server share: configuration, routes, the application's event queue,
/// counters and the stop flag. Everything here is immutable or synchronized.
final class EdgeShared: Sendable {
    let configuration: WebSocketServer.Configuration
    let routes = Mutex<[String: WebSocketServer.Route]>([:])
    let events: EdgeEventQueue
    let counters = EdgeCounters()
    let stopping = Atomic<Bool>(false)

    init(configuration: WebSocketServer.Configuration) throws(WebSocketServerError) {
        self.configuration = configuration
        events = try EdgeEventQueue(messageLimit: configuration.eventQueueLimit)
    }
}

/// The listening socket and epoll set of one worker, created up front so setup errors surface
/// from `WebSocketServer.init`; closed by the worker when it exits, or by the server if it never
/// started.
struct EdgeWorkerSockets: Sendable {
    let listenFD: Int32
    let epollFD: Int32

    func close() {
        _ = Glibc.close(listenFD)
        _ = Glibc.close(epollFD)
    }
}

/// Monotonic nanoseconds (AscentRuntime's clock is internal to that target).
func edgeNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}
