import CSystemShim
import Glibc
import Synchronization

/// What other threads ask of a worker; frames arrive already encoded (a broadcast is encoded
/// once and the same array, shared copy-on-write, goes to every worker).
enum EdgeCommand: Sendable {
    case send(WebSocketConnectionID, [UInt8])
    case broadcast(group: UInt64, [UInt8])
    case subscribe(WebSocketConnectionID, group: UInt64)
    case unsubscribe(WebSocketConnectionID, group: UInt64)
    case close(WebSocketConnectionID, WebSocketCloseCode, reason: String)
}

/// A worker's bounded command queue, woken by an eventfd. Producers signal only when the queue
/// goes from empty to non-empty, so a burst of sends costs one wake-up; the worker takes the
/// whole queue at once.
final class EdgeInbox: Sendable {
    private struct State {
        var commands: [EdgeCommand] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    private let limit: Int
    private let limitBytes: Int
    /// The eventfd the worker's epoll set watches; closed in deinit (after the worker joined).
    let wakeFD: Int32

    init(limit: Int, limitBytes: Int) throws(WebSocketServerError) {
        self.limit = limit
        self.limitBytes = limitBytes
        let fd = ascent_eventfd()
        guard fd >= 0 else { throw EdgeListener.failure("eventfd", errno) }
        wakeFD = fd
    }

    deinit {
        close(wakeFD)
    }

    /// Queues a command carrying `bytes` of frame data; false (and nothing queued) when full.
    func push(_ command: EdgeCommand, bytes: Int) -> Bool {
        let wasEmpty: Bool? = state.withLock { state in
            guard state.commands.count < limit, state.bytes + bytes <= limitBytes else { return nil }
            let wasEmpty = state.commands.isEmpty
            state.commands.append(command)
            state.bytes += bytes
            return wasEmpty
        }
        guard let wasEmpty else { return false }
        if wasEmpty { ascent_eventfd_signal(wakeFD) }
        return true
    }

    /// Takes every queued command, in order; the worker calls this after its eventfd fired.
    func takeAll(into buffer: inout [EdgeCommand]) {
        ascent_eventfd_drain(wakeFD)
        state.withLock { state in
            swap(&buffer, &state.commands)
            state.bytes = 0
        }
    }

    /// Wakes the worker without a command (to notice `stop`).
    func wake() {
        ascent_eventfd_signal(wakeFD)
    }
}
