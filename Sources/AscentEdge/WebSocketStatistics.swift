import Synchronization

/// Counters of a running server, read with `WebSocketServer.statistics`.
public struct WebSocketStatistics: Sendable {
    /// Connections open now (upgraded or still in their handshake).
    public var openConnections: Int
    /// Connections accepted since start.
    public var acceptedConnections: Int
    /// Complete messages received from clients.
    public var messagesReceived: Int
    /// Frames queued to clients (a broadcast to n connections counts n).
    public var framesQueued: Int
    /// Bytes written to client sockets.
    public var bytesWritten: Int
    /// Clients cut off because their output passed the high-water mark.
    public var slowClientsDropped: Int
    /// Connections closed for breaking the protocol (1002, 1007, 1009).
    public var protocolErrors: Int
    /// Commands refused because a worker's inbox was full.
    public var inboxDrops: Int
    /// Times a worker paused reading a client because the application's event queue was full.
    public var readPauses: Int
}

/// The atomic counters behind `WebSocketStatistics`; workers add per loop pass, not per frame.
final class EdgeCounters: Sendable {
    let openConnections = Atomic<Int>(0)
    let acceptedConnections = Atomic<Int>(0)
    let messagesReceived = Atomic<Int>(0)
    let framesQueued = Atomic<Int>(0)
    let bytesWritten = Atomic<Int>(0)
    let slowClientsDropped = Atomic<Int>(0)
    let protocolErrors = Atomic<Int>(0)
    let inboxDrops = Atomic<Int>(0)
    let readPauses = Atomic<Int>(0)

    var snapshot: WebSocketStatistics {
        WebSocketStatistics(
            openConnections: openConnections.load(ordering: .relaxed),
            acceptedConnections: acceptedConnections.load(ordering: .relaxed),
            messagesReceived: messagesReceived.load(ordering: .relaxed),
            framesQueued: framesQueued.load(ordering: .relaxed),
            bytesWritten: bytesWritten.load(ordering: .relaxed),
            slowClientsDropped: slowClientsDropped.load(ordering: .relaxed),
            protocolErrors: protocolErrors.load(ordering: .relaxed),
            inboxDrops: inboxDrops.load(ordering: .relaxed),
            readPauses: readPauses.load(ordering: .relaxed))
    }
}
