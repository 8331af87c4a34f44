import AscentCore

/// What kind of disagreement a finding reports; each case is one rule of docs/audit.md.
public enum AuditFindingKind: String, Hashable, Sendable, CaseIterable {
    /// A record's value is not a valid event of its topic.
    case undecodable
    /// An event does not fit the round's phase or number (out of sequence, unknown round).
    case eventOutOfPlace
    /// The crash point recomputed from the revealed seed and the salt differs from the logged one.
    case crashPointMismatch
    /// The `crashed` instant is not the first millisecond at which the curve reaches the crash point.
    case crashInstantMismatch
    /// SHA-256 of the revealed seed is not the round's commitment.
    case seedDoesNotProveCommitment
    /// The round's commitment is not the previous round's seed (or the published terminating hash).
    case brokenChain
    /// A bet was accepted after betting closed.
    case betAfterBettingClosed
    /// A bet id was placed twice in one round.
    case duplicateBet
    /// An outcome names a bet that was never placed in the round.
    case unknownBet
    /// An outcome's player or stake differs from the accepted bet's.
    case betDetailsMismatch
    /// A bet was given a second outcome (paid twice, or paid and lost).
    case betPaidTwice
    /// A cash-out at or above the crash point, or at or after the crash instant, or logged after the crash.
    case cashOutAfterCrash
    /// A manual cash-out's multiplier is not the curve's value at its instant.
    case cashOutNotOnCurve
    /// A tick showed players another value than the curve's at its instant, or one at or above the crash point.
    case tickNotOnCurve
    /// An auto or maximum-win cash-out does not pay its trigger, or not at the instant the curve reached it.
    case cashOutWrongTrigger
    /// A payout differs from min(floor(stake × multiplier), maximum win).
    case payoutNotByRule
    /// An accepted bet has no outcome although its round is over.
    case betNotSettled
    /// A round's `roundSettled` totals differ from its bets.
    case roundTotalsMismatch
    /// A `betPlaced` has no `stakeReserved` on the wallet topic.
    case stakeNeverReserved
    /// A reservation's player, amount or auto target differs from the accepted bet's.
    case reservationMismatch
    /// A stake was reserved twice for one bet.
    case duplicateReservation
    /// A stake was held for a bet that the round never accepted nor rejected.
    case stakeHeldWithoutBet
    /// A bet's outcome has no `betSettled`/`stakeReleased` on the wallet topic.
    case walletSettlementMissing
    /// A wallet settlement's kind, payout or stake differs from the bet's outcome.
    case walletSettlementMismatch
    /// A wallet settlement for a bet that holds no reserved stake (settled twice, or never reserved).
    case settlementWithoutReservation
    /// A balance went below zero.
    case negativeBalance
    /// Balances plus the house result do not equal deposits minus withdrawals, or the wallet's house
    /// result differs from the rounds'.
    case moneyNotConserved
}

/// One disagreement between the log and the rules, pinned to the record that shows it.
public struct AuditFinding: Hashable, Sendable, CustomStringConvertible {
    /// Which rule failed.
    public var kind: AuditFindingKind
    /// The record that disagrees (nil only for whole-log totals such as money conservation).
    public var position: AuditPosition?
    /// The table and round concerned, when there is one.
    public var table: TableID?
    /// The round concerned, when there is one.
    public var round: Int64?
    /// What exactly differs, with both values.
    public var message: String

    /// A finding of `kind` at `position` saying `message`.
    public init(kind: AuditFindingKind, position: AuditPosition?, table: TableID? = nil, round: Int64? = nil, message: String) {
        self.kind = kind
        self.position = position
        self.table = table
        self.round = round
        self.message = message
    }

    public var description: String {
        var text = kind.rawValue
        if let position { text += " at \(position)" }
        if let table { text += " (table \(table.rawValue)" + (round.map { " round \($0)" } ?? "") + ")" }
        return text + ": " + message
    }
}
