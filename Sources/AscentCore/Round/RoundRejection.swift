/// Why the authority refused a command: each case names the rule that failed. Rejections are
/// answers to the sender, not errors of the system.
public enum RoundRejection: Error, Hashable, Sendable {
    /// `open` while the current round has not finished (settled or voided).
    case roundInProgress(current: Int64)
    /// `open` for a round number other than the next one.
    case unexpectedRoundNumber(expected: Int64, got: Int64)
    /// `open` repeated for the same round with a different commitment.
    case conflictingOpen
    /// The commitment is not 64 lower-case hex digits.
    case malformedCommitment
    /// A bet or cancellation arrived when betting was not open.
    case bettingClosed
    /// The bet id is already used in this round by a bet with different content.
    case duplicateBetID
    /// The stake is not in the table's currency.
    case wrongCurrency(expected: Currency, got: Currency)
    /// The stake is below the table minimum.
    case stakeBelowMinimum(minimum: Money)
    /// The stake is above the table maximum.
    case stakeAboveMaximum(maximum: Money)
    /// The player already holds the table's maximum number of bets this round.
    case tooManyBets(maximum: Int)
    /// The auto cash-out target is outside the table's range.
    case autoCashOutOutOfRange(minimum: Multiplier, maximum: Multiplier)
    /// No bet with that id in this round.
    case unknownBet
    /// The bet belongs to another player.
    case betOfAnotherPlayer
    /// The bet was cancelled and can no longer be cashed out.
    case betCancelled
    /// A cash-out before take-off.
    case notFlying
    /// A cash-out that reached the authority at or after the crash instant.
    case cashOutAfterCrash
    /// A tick at or after the crash instant: the round must crash instead.
    case crashPointReached
    /// A crash before the curve reached the crash point.
    case crashPointNotReached
    /// The command does not apply in the round's current phase.
    case wrongPhase(RoundPhase)
    /// The command's instant is earlier than the round's last event.
    case clockWentBackwards

    /// A stable machine-readable code for logs, the player protocol and `betRejected` events.
    public var code: String {
        switch self {
        case .roundInProgress: "roundInProgress"
        case .unexpectedRoundNumber: "unexpectedRoundNumber"
        case .conflictingOpen: "conflictingOpen"
        case .malformedCommitment: "malformedCommitment"
        case .bettingClosed: "bettingClosed"
        case .duplicateBetID: "duplicateBetId"
        case .wrongCurrency: "wrongCurrency"
        case .stakeBelowMinimum: "stakeBelowMinimum"
        case .stakeAboveMaximum: "stakeAboveMaximum"
        case .tooManyBets: "tooManyBets"
        case .autoCashOutOutOfRange: "autoCashOutOutOfRange"
        case .unknownBet: "unknownBet"
        case .betOfAnotherPlayer: "betOfAnotherPlayer"
        case .betCancelled: "betCancelled"
        case .notFlying: "notFlying"
        case .cashOutAfterCrash: "cashOutAfterCrash"
        case .crashPointReached: "crashPointReached"
        case .crashPointNotReached: "crashPointNotReached"
        case .wrongPhase: "wrongPhase"
        case .clockWentBackwards: "clockWentBackwards"
        }
    }
}
