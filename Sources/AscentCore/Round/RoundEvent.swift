/// A fact about a round, as written to the round topic. Events carry everything downstream needs
/// (stakes, payouts, players), so settlement and projections never re-run the rules.
public enum RoundEvent: Hashable, Sendable {
    /// Betting opened on `round`; `commitment` is the SHA-256 of the seed that will be revealed at the crash.
    case roundOpened(round: Int64, commitment: String, at: Timestamp, bettingClosesAt: Timestamp)
    /// A funded bet was accepted.
    case betPlaced(round: Int64, betID: BetID, player: PlayerID, stake: Money, autoCashOut: Multiplier?, at: Timestamp)
    /// A funded bet the authority refused (`reason` is the rejection's code); its stake goes back.
    /// Written by the authority service, not by `decide`, which answers a refusal with a rejection.
    case betRejected(round: Int64, betID: BetID, player: PlayerID, stake: Money, reason: String, at: Timestamp)
    /// A bet was withdrawn during betting; its stake goes back to the player.
    case betCancelled(round: Int64, betID: BetID, player: PlayerID, stake: Money, at: Timestamp)
    /// No more bets are accepted.
    case bettingClosed(round: Int64, at: Timestamp)
    /// The curve started at 1.00x.
    case tookOff(round: Int64, at: Timestamp)
    /// The curve's value at `at`.
    case ticked(round: Int64, at: Timestamp, multiplier: Multiplier)
    /// A bet was cashed out; `payout` is floor(stake × multiplier), capped at the table's maximum win.
    case cashedOut(round: Int64, betID: BetID, player: PlayerID, stake: Money, multiplier: Multiplier,
                   payout: Money, reason: CashOutReason, at: Timestamp)
    /// The curve reached `crashPoint` at `at`; `seed` is revealed so anyone can check it.
    case crashed(round: Int64, crashPoint: Multiplier, seed: String, at: Timestamp)
    /// A bet still riding at the crash lost its stake.
    case betLost(round: Int64, betID: BetID, player: PlayerID, stake: Money)
    /// The round was cancelled; bets still riding are refunded.
    case roundVoided(round: Int64, reason: String, at: Timestamp)
    /// A bet of a voided round was refunded in full.
    case betRefunded(round: Int64, betID: BetID, player: PlayerID, stake: Money)
    /// An authority took over the table with a higher `epoch`: from this record on, readers count only
    /// events written by `writer` with this epoch, so an older authority that still runs is fenced.
    case authorityClaimed(round: Int64, epoch: Int64, writer: String, at: Timestamp)
    /// Every bet of the round has its outcome; totals for finance and audit.
    case roundSettled(round: Int64, bets: Int, totalStake: Money, totalPayout: Money, at: Timestamp)

    /// The round the event belongs to.
    public var round: Int64 {
        switch self {
        case .roundOpened(let round, _, _, _), .betPlaced(let round, _, _, _, _, _), .betCancelled(let round, _, _, _, _),
             .betRejected(let round, _, _, _, _, _),
             .bettingClosed(let round, _), .tookOff(let round, _), .ticked(let round, _, _),
             .cashedOut(let round, _, _, _, _, _, _, _), .crashed(let round, _, _, _), .betLost(let round, _, _, _),
             .roundVoided(let round, _, _), .betRefunded(let round, _, _, _), .roundSettled(let round, _, _, _, _),
             .authorityClaimed(let round, _, _, _):
            return round
        }
    }

    /// The event type's name as written in log headers and schemas (`betPlaced`).
    public var typeName: String {
        switch self {
        case .roundOpened: "roundOpened"
        case .betPlaced: "betPlaced"
        case .betRejected: "betRejected"
        case .betCancelled: "betCancelled"
        case .bettingClosed: "bettingClosed"
        case .tookOff: "tookOff"
        case .ticked: "ticked"
        case .cashedOut: "cashedOut"
        case .crashed: "crashed"
        case .betLost: "betLost"
        case .roundVoided: "roundVoided"
        case .betRefunded: "betRefunded"
        case .roundSettled: "roundSettled"
        case .authorityClaimed: "authorityClaimed"
        }
    }
}

/// Why a bet was cashed out.
public enum CashOutReason: String, Hashable, Sendable, CaseIterable {
    /// The player asked.
    case manual
    /// The bet's auto cash-out target was reached; it pays exactly the target.
    case auto
    /// The payout reached the table's maximum win.
    case maximumWin
}

extension RoundEvent {
    /// The bet the event is about, if any.
    public var betID: BetID? {
        switch self {
        case .betPlaced(_, let id, _, _, _, _), .betRejected(_, let id, _, _, _, _), .betCancelled(_, let id, _, _, _),
             .cashedOut(_, let id, _, _, _, _, _, _), .betLost(_, let id, _, _), .betRefunded(_, let id, _, _):
            return id
        default:
            return nil
        }
    }
}
