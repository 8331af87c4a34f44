import AscentRuntime

/// One client connection, owned and touched only by its worker's thread. Its output buffer lives
/// apart, in the loop's `EdgeOutput` array at the same slot, for the broadcast hot path.
final class EdgeConnection {
    enum Phase {
        /// Reading the HTTP request head.
        case handshake
        /// Upgraded: exchanging frames.
        case open
        /// Finishing: write what is queued, then shut the write side and discard input until the
        /// client closes or `deadline` passes. Nothing more is queued in this phase.
        case closing
    }

    let fd: Int32
    let slot: Int
    let id: WebSocketConnectionID
    var phase = Phase.handshake
    /// Received bytes not yet parsed: at most one incomplete frame (within the message limit) or
    /// request head, plus one read.
    var input: [UInt8] = []
    /// Whether reading is paused because the application's event queue is full.
    var readPaused = false
    /// The message being reassembled from fragments: its kind, bytes and UTF-8 state.
    var messageIsText: Bool?
    var message: [UInt8] = []
    var utf8 = UTF8Validator()
    /// Monotonic nanoseconds: accept time, last input, when a ping went out, when closing ends.
    let acceptedAt: UInt64
    var lastInput: UInt64
    var pingOutstanding = false
    var deadline: UInt64 = 0
    /// Whether the application saw `opened` (so it must see exactly one `closed`).
    var openReported = false
    var closeReported = false
    var groups: [UInt64] = []
    var removed = false

    init(fd: Int32, slot: Int, id: WebSocketConnectionID, now: UInt64) {
        self.fd = fd
        self.slot = slot
        self.id = id
        acceptedAt = now
        lastInput = now
    }
}
