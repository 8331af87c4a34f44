import CSystemShim
import Glibc
import Synchronization

/// The bounded queue from the workers to the application's handler, drained in batches by one
/// dispatcher thread so a slow handler never blocks an epoll loop.
///
/// At the limit: message events are not dropped; workers check `hasRoomForMessage(unpublished:)` before taking a
/// message off a connection and, when there is no room, stop reading that connection until there
/// is (TCP pushes back on the client). The check and the push are not one atomic step, so the
/// queue can exceed its limit by at most one message per worker. Open and close events are always
/// queued: each connection makes at most one of each, so they are bounded by the connection limit.
final class EdgeEventQueue: Sendable {
    private struct State {
        var events: [WebSocketEvent] = []
        var messages = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let messageLimit: Int
    private let wakeFD: Int32

    init(messageLimit: Int) throws(WebSocketServerError) {
        self.messageLimit = messageLimit
        let fd = ascent_eventfd()
        guard fd >= 0 else { throw EdgeListener.failure("eventfd", errno) }
        wakeFD = fd
    }

    deinit {
        close(wakeFD)
    }

    /// Whether another message event may be queued now, counting `unpublished` messages the
    /// asking worker holds for its next push.
    func hasRoomForMessage(unpublished: Int) -> Bool {
        state.withLock { $0.messages + unpublished < messageLimit }
    }

    /// Queues the events of one worker loop pass.
    func push(_ events: [WebSocketEvent], messages: Int) {
        guard !events.isEmpty else { return }
        let wasEmpty = state.withLock { state in
            let wasEmpty = state.events.isEmpty
            state.events.append(contentsOf: events)
            state.messages += messages
            return wasEmpty
        }
        if wasEmpty { ascent_eventfd_signal(wakeFD) }
    }

    /// Blocks until events are queued or the queue is stopped; returns them, or nil once stopped.
    func next() -> [WebSocketEvent]? {
        while true {
            let batch: [WebSocketEvent]? = state.withLock { state in
                if state.stopped { return nil }
                let batch = state.events
                state.events = []
                state.messages = 0
                return batch
            }
            guard let batch else { return nil }
            if !batch.isEmpty { return batch }
            var descriptor = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, -1)
            ascent_eventfd_drain(wakeFD)
        }
    }

    /// Makes `next` return nil (events still queued are not delivered).
    func stop() {
        state.withLock { $0.stopped = true }
        ascent_eventfd_signal(wakeFD)
    }
}
