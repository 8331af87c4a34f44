/// Names one WebSocket connection of a server for `send`, `subscribe` and `close`. It encodes the
/// worker that owns the connection, its slot and the slot's generation, so an ID outlives its
/// connection harmlessly: commands for a closed connection are ignored.
public struct WebSocketConnectionID: Hashable, Sendable, CustomStringConvertible {
    /// The packed value: worker (8 bits), slot (24 bits), generation (32 bits).
    public let rawValue: UInt64

    /// An ID from its packed value (as logged or stored by the application).
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    init(worker: Int, slot: Int, generation: UInt32) {
        rawValue = UInt64(worker & 0xFF) << 56 | UInt64(slot & 0xFF_FFFF) << 32 | UInt64(generation)
    }

    var worker: Int { Int(rawValue >> 56) }
    var slot: Int { Int(rawValue >> 32 & 0xFF_FFFF) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue) }

    /// `worker.slot.generation`, for logs.
    public var description: String { "\(worker).\(slot).\(generation)" }
}
