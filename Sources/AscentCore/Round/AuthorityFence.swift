/// Decides which round events of one table count, so a second authority fences the first.
///
/// Each authority appends `authorityClaimed(epoch:writer:)` when it takes over, with an epoch above
/// every epoch it has seen, and stamps each of its events with its epoch and writer id (record
/// headers `authority-epoch`, `authority-writer`). Reading the table's events in log order, a claim
/// with a higher epoch than the current one becomes current; a claim that is not higher lost a race
/// and is ignored; any other event counts only when it carries the current epoch and writer. An
/// authority that is still running after another took over therefore writes events nobody counts.
public struct AuthorityFence: Hashable, Sendable {
    /// The epoch in force.
    public private(set) var epoch: Int64 = 0
    /// The writer in force; nil before the first claim.
    public private(set) var writer: String?

    /// No claim seen yet.
    public init() {}

    /// Whether `event`, written with `epoch` and `writer` headers, counts; updates the fence on a claim.
    public mutating func admits(_ event: RoundEvent, epoch: Int64?, writer: String?) -> Bool {
        if case .authorityClaimed(_, let claimed, let claimant, _) = event {
            guard claimed > self.epoch else { return false }
            self.epoch = claimed
            self.writer = claimant
            return true
        }
        // Before any claim, events without stamps count (logs written before fencing existed).
        guard let current = self.writer else { return true }
        return epoch == self.epoch && writer == current
    }
}
