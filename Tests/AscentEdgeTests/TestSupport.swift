import AscentEdge
import AscentRuntime
import Glibc
import Synchronization

/// Waits up to `timeout` for `condition`, checking every 2 ms; returns whether it became true.
func waitUntil(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}

/// Records every event the server delivers and, when `echo` is set, sends each message back.
final class EventRecorder: Sendable {
    private let events = Mutex<[WebSocketEvent]>([])

    func record(_ batch: [WebSocketEvent]) {
        events.withLock { $0.append(contentsOf: batch) }
    }

    var all: [WebSocketEvent] { events.withLock { $0 } }

    var openedIDs: [WebSocketConnectionID] {
        all.compactMap { if case .opened(let id, _) = $0 { id } else { nil } }
    }

    var closes: [(WebSocketConnectionID, WebSocketCloseCode, String)] {
        all.compactMap { if case .closed(let id, let code, let reason) = $0 { (id, code, reason) } else { nil } }
    }

    var messages: [(WebSocketConnectionID, WebSocketMessage)] {
        all.compactMap { if case .message(let id, let message) = $0 { (id, message) } else { nil } }
    }

    /// The close code reported for the single connection that closed, waiting for it.
    func awaitCloseCode(_ timeout: Duration = .seconds(5)) -> WebSocketCloseCode? {
        guard waitUntil(timeout, { !closes.isEmpty }) else { return nil }
        return closes.first?.1
    }
}

/// A started server on an ephemeral loopback port with a recorder; echoes messages when asked.
func makeServer(echo: Bool = false, _ adjust: (inout WebSocketServer.Configuration) -> Void = { _ in }) throws
    -> (WebSocketServer, EventRecorder) {
    var configuration = WebSocketServer.Configuration()
    configuration.workerCount = 2
    adjust(&configuration)
    let server = try WebSocketServer(host: "127.0.0.1", port: 0, configuration: configuration)
    let recorder = EventRecorder()
    server.start { [weak server] batch in
        recorder.record(batch)
        guard echo, let server else { return }
        for event in batch {
            if case .message(let id, let message) = event {
                server.send(WebSocketFrame.encode(message.isText ? .text : .binary, message.bytes), to: id)
            }
        }
    }
    return (server, recorder)
}
