/// Where a round is in its life.
public enum RoundPhase: String, Hashable, Sendable, CaseIterable {
    /// No round is open: the table waits for the next `open` (also the state before the first round).
    case scheduled
    /// Bets are accepted.
    case betting
    /// Betting closed; waiting for take-off.
    case closed
    /// The curve is climbing; cash-outs are accepted.
    case flying
    /// The curve reached the crash point; bets still riding lost.
    case crashed
    /// Every bet has its outcome; the table may open the next round.
    case settled
    /// The round was cancelled and bets still riding were refunded.
    case voided
}

/// One bet and what has become of it.
public struct Bet: Hashable, Sendable {
    /// The sender-chosen id.
    public let id: BetID
    /// Whose bet it is.
    public let player: PlayerID
    /// The reserved stake.
    public let stake: Money
    /// The auto cash-out target, if any.
    public let autoCashOut: Multiplier?
    /// When it was placed.
    public let placedAt: Timestamp
    /// Its position in the order bets were placed (ties between equal triggers go by this order).
    public let sequence: Int
    /// What has become of it.
    public var status: BetStatus
}

/// The outcome of a bet, or `active` while it still rides.
public enum BetStatus: Hashable, Sendable {
    /// Placed and neither cancelled nor settled yet.
    case active
    /// Withdrawn during betting.
    case cancelled
    /// Cashed out before the crash.
    case cashedOut(multiplier: Multiplier, payout: Money, reason: CashOutReason, at: Timestamp)
    /// Still riding at the crash.
    case lost
    /// Refunded because the round was voided.
    case refunded
}

/// The state of a table's current round, rebuilt exactly by folding the round's events.
public struct RoundState: Hashable, Sendable {
    /// The current round number (0 before the first round).
    public internal(set) var round: Int64 = 0
    /// The current round's phase.
    public internal(set) var phase: RoundPhase = .scheduled
    /// The hash of the seed that will be revealed at the crash.
    public internal(set) var commitment: String?
    /// When betting opened.
    public internal(set) var openedAt: Timestamp?
    /// When betting closes on the authority's clock.
    public internal(set) var bettingClosesAt: Timestamp?
    /// When the curve started.
    public internal(set) var tookOffAt: Timestamp?
    /// The instant of the last event: commands must not be older.
    public internal(set) var lastEventAt: Timestamp?
    /// The instant of the last tick.
    public internal(set) var lastTickAt: Timestamp?
    /// The revealed crash point, after the crash.
    public internal(set) var crashPoint: Multiplier?
    /// The revealed seed, after the crash.
    public internal(set) var seed: String?
    /// Every bet of the round by id.
    public internal(set) var bets: [BetID: Bet] = [:]
    /// Bet ids in the order they were placed.
    public internal(set) var betOrder: [BetID] = []
    /// Active (not cancelled) bets per player, for the per-player limit.
    public internal(set) var activeBetsPerPlayer: [PlayerID: Int] = [:]
    /// Sum of stakes of bets not cancelled, in minor units.
    public internal(set) var totalStakeMinorUnits: Int64 = 0
    /// Sum of payouts so far, in minor units.
    public internal(set) var totalPayoutMinorUnits: Int64 = 0
    /// Auto and maximum-win triggers of the riding bets, sorted by (multiplier, sequence); built at take-off.
    var triggers: [Trigger] = []
    /// Index of the first trigger that may still fire.
    var nextTrigger: Int = 0

    /// The state before any round.
    public init() {}

    /// Whether the round is over, so the next one may open.
    public var isFinished: Bool { phase == .scheduled || phase == .settled || phase == .voided }

    /// The lowest multiplier at which a riding bet is cashed out without being asked (its auto
    /// target or its maximum-win cap), while flying; nil when none is left. The authority wakes
    /// when the curve reaches it, so those cash-outs are written at their instant, not at the next
    /// tick or request.
    public var nextTriggerMultiplier: Multiplier? {
        guard phase == .flying else { return nil }
        var index = nextTrigger
        while index < triggers.count {
            if bets[triggers[index].betID]?.status == .active { return triggers[index].multiplier }
            index += 1
        }
        return nil
    }
}

/// A multiplier at which a bet is cashed out without being asked.
struct Trigger: Hashable, Sendable {
    let multiplier: Multiplier
    let sequence: Int
    let betID: BetID
    let reason: CashOutReason
}
