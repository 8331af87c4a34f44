import AscentCore
import AscentFairness

/// What becomes of an accepted bet.
enum BetOutcome: Hashable {
    case cashedOut(multiplier: Multiplier, payout: Money, reason: CashOutReason, at: Timestamp)
    case lost
    case refunded
    case cancelled

    var name: String {
        switch self {
        case .cashedOut: "cashedOut"
        case .lost: "betLost"
        case .refunded: "betRefunded"
        case .cancelled: "betCancelled"
        }
    }
}

/// An accepted bet of the current round and its outcome so far.
struct TrackedBet {
    var player: PlayerID
    var stake: Money
    var autoCashOut: Multiplier?
    var position: AuditPosition
    var outcome: BetOutcome?
    var outcomePosition: AuditPosition?
}

/// A cash-out whose checks against the crash wait for the crash to be revealed.
struct PendingCashOut {
    var betID: BetID
    var multiplier: Multiplier
    var at: Timestamp
    var position: AuditPosition
}

/// One table: its current round rebuilt with the pure decider, and what the chain check needs of the previous one.
struct TableTrack {
    var state = RoundState()
    var opened = false
    var covered = false
    var finalized = true
    var bets: [BetID: TrackedBet] = [:]
    var betOrder: [BetID] = []
    var pendingCashOuts: [PendingCashOut] = []
    /// The highest multiplier a tick showed, checked against the crash point once it is revealed.
    var highestTick: (multiplier: Multiplier, position: AuditPosition)?
    var crash: (point: Multiplier, at: Timestamp, position: AuditPosition)?
    var stakeMinor: Int64 = 0
    var payoutMinor: Int64 = 0
    var previousRound: Int64 = 0
    var previousCommitment: String?
    var previousSeed: String?
    /// False once the revealed seed failed its commitment: the next link is then checked by hashing.
    var revealedSeedIsProof = true
    var detail: AuditRoundDetail?
}

extension Auditor {
    /// Feeds one decoded round event of `table`, read at `position`.
    public mutating func consume(_ event: RoundEvent, table: TableID, at position: AuditPosition) {
        // Taken out of the dictionary so the track is uniquely referenced: mutating a copy would
        // copy its bets on every event.
        var track = tables.removeValue(forKey: table) ?? TableTrack()
        if case .roundOpened(let round, let commitment, let at, let closes) = event {
            open(&track, table: table, round: round, commitment: commitment, at: at, closes: closes, position: position)
        } else if case .betRejected(let round, let id, let player, let stake, _, _) = event, !track.opened || round != track.state.round {
            // A reservation for a round that is over (it reached the authority late) is refused
            // whenever it arrives: not out of place, and its stake must still come back.
            rejected(BetReference(table: table, round: round, betID: id), player: player, stake: stake, position: position)
        } else if !track.opened || event.round != track.state.round {
            report(.eventOutOfPlace, position, table: table, round: event.round,
                   message: "\(event.typeName) for round \(event.round), but the table's open round is \(track.opened ? String(track.state.round) : "none")")
        } else if track.covered {
            check(event, &track, table: table, position: position)
        } else if case .crashed(_, _, let seed, _) = event {
            track.previousSeed = seed
        }
        tables[table] = track
    }

    private mutating func open(_ track: inout TableTrack, table: TableID, round: Int64, commitment: String, at: Timestamp,
                               closes: Timestamp, position: AuditPosition) {
        if track.opened && !track.state.isFinished {
            report(.eventOutOfPlace, position, table: table, round: track.state.round,
                   message: "round \(round) opened while round \(track.state.round) is still \(track.state.phase.rawValue)")
        }
        if !track.finalized { finalize(&track, table: table, atEnd: false) }
        let covered = configuration.covers(table, round)
        // The chain: this commitment must be the previous round's seed, or hash to its commitment
        // when that seed was never revealed (a voided round); round 1's is the terminating hash.
        func broken(_ message: String) { report(.brokenChain, position, table: table, round: round, message: message) }
        if Bytes32(hex: commitment) == nil || commitment.utf8.count != 64 {
            broken("commitment '\(commitment)' is not 64 hex digits")
        } else if round == 1 {
            if let published = configuration.rules(for: table).terminatingHash, published != commitment.lowercased() {
                broken("round 1's commitment \(commitment) is not the published terminating hash \(published)")
            }
        } else if track.previousRound != 0 && round != track.previousRound + 1 {
            report(.eventOutOfPlace, position, table: table, round: round, message: "round \(round) follows round \(track.previousRound)")
        } else if track.previousRound == round - 1 {
            if let seed = track.previousSeed {
                if seed.lowercased() != commitment.lowercased() {
                    broken("commitment \(commitment) is not round \(round - 1)'s revealed seed \(seed)")
                }
            } else if let previous = track.previousCommitment, let bytes = Bytes32(hex: commitment),
                      SHA256.hash(bytes).hex != previous.lowercased() {
                broken("SHA-256 of commitment \(commitment) is \(SHA256.hash(bytes).hex), not round \(round - 1)'s commitment \(previous)")
            }
        }
        let decider = Round(config: configuration.rules(for: table).config)
        if !track.state.isFinished { track.state = RoundState() }
        decider.apply(.roundOpened(round: round, commitment: commitment, at: at, bettingClosesAt: closes), to: &track.state)
        track.opened = true
        track.covered = covered
        track.finalized = false
        track.bets = [:]
        track.betOrder = []
        track.pendingCashOuts = []
        track.highestTick = nil
        track.crash = nil
        track.stakeMinor = 0
        track.payoutMinor = 0
        track.previousRound = round
        track.previousCommitment = commitment
        track.previousSeed = nil
        track.revealedSeedIsProof = true
        track.detail = nil
        if covered && configuration.keepRoundDetails {
            var detail = AuditRoundDetail(table: table.rawValue, round: round)
            detail.commitment = commitment
            detail.openedAt = at.milliseconds
            detail.bettingClosesAt = closes.milliseconds
            track.detail = detail
        }
    }

    private mutating func check(_ event: RoundEvent, _ track: inout TableTrack, table: TableID, position: AuditPosition) {
        let rules = configuration.rules(for: table)
        let decider = Round(config: rules.config)
        let round = track.state.round
        let phase = track.state.phase
        func finding(_ kind: AuditFindingKind, _ message: String) {
            report(kind, position, table: table, round: round, message: message)
        }
        func outOfPlace() { finding(.eventOutOfPlace, "\(event.typeName) while the round is \(phase.rawValue)") }
        /// The bet an outcome names, if it was accepted and has no outcome yet; reports otherwise.
        func riding(_ id: BetID, _ player: PlayerID, _ stake: Money) -> TrackedBet? {
            guard let bet = track.bets[id] else {
                finding(.unknownBet, "\(event.typeName) for bet \(id), which was never placed in this round")
                return nil
            }
            if let outcome = bet.outcome {
                finding(.betPaidTwice, "\(event.typeName) for bet \(id), which already has its outcome \(outcome.name) at \(bet.outcomePosition!)")
                return nil
            }
            if bet.player != player || bet.stake != stake {
                finding(.betDetailsMismatch, "\(event.typeName) for bet \(id) says player \(player) stake \(stake); the bet placed at \(bet.position) is player \(bet.player) stake \(bet.stake)")
            }
            return bet
        }
        func applyIfRiding(_ id: BetID, phase expected: RoundPhase) {
            if track.state.phase == expected, track.state.bets[id]?.status == .active { decider.apply(event, to: &track.state) }
        }

        switch event {
        case .roundOpened:
            preconditionFailure("handled by open")
        case .authorityClaimed:
            // Claims decide which events count; `consume(topic:…)` handles them before this point.
            break
        case .betPlaced(_, let id, let player, let stake, let auto, let at):
            if let existing = track.bets[id] {
                finding(.duplicateBet, "bet \(id) was already placed at \(existing.position)")
                return
            }
            if phase != .betting {
                finding(.betAfterBettingClosed, "bet \(id) accepted at \(at.milliseconds) while the round is \(phase.rawValue): betting had closed")
            } else if let closes = track.state.bettingClosesAt, at >= closes {
                finding(.betAfterBettingClosed, "bet \(id) accepted at \(at.milliseconds), at or after betting closed at \(closes.milliseconds)")
            }
            track.bets[id] = TrackedBet(player: player, stake: stake, autoCashOut: auto, position: position)
            track.betOrder.append(id)
            track.stakeMinor += stake.minorUnits
            if phase == .betting { decider.apply(event, to: &track.state) }
            matchPlaced(BetReference(table: table, round: round, betID: id), player: player, stake: stake, auto: auto,
                        position: position, rejected: false)
            track.detail?.updateBet(id, player: player, stake: stake) {
                $0.status = "placed"; $0.autoCashOutHundredths = auto?.hundredths; $0.placedAt = at.milliseconds
            }
        case .betRejected(_, let id, let player, let stake, let reason, let at):
            rejected(BetReference(table: table, round: round, betID: id), player: player, stake: stake, position: position)
            track.detail?.updateBet(id, player: player, stake: stake) {
                $0.status = "rejected"; $0.rejectReason = reason; $0.settledAt = at.milliseconds
            }
        case .betCancelled(_, let id, let player, let stake, let at):
            guard var bet = riding(id, player, stake) else { return }
            if phase != .betting || at >= (track.state.bettingClosesAt ?? at) {
                finding(.eventOutOfPlace, "bet \(id) cancelled at \(at.milliseconds) after betting closed")
            }
            applyIfRiding(id, phase: .betting)
            bet.outcome = .cancelled
            bet.outcomePosition = position
            track.bets[id] = bet
            track.stakeMinor -= bet.stake.minorUnits
            matchOutcome(BetReference(table: table, round: round, betID: id), .release(.cancelled), houseMinor: 0,
                         currency: stake.currency.code, position: position)
            track.detail?.updateBet(id, player: player, stake: stake) { $0.status = "cancelled"; $0.settledAt = at.milliseconds }
        case .bettingClosed:
            guard phase == .betting else { return outOfPlace() }
            decider.apply(event, to: &track.state)
            track.detail?.phase = "closed"
        case .tookOff(_, let at):
            guard phase == .closed else { return outOfPlace() }
            decider.apply(event, to: &track.state)
            track.detail?.phase = "flying"
            track.detail?.tookOffAt = at.milliseconds
        case .ticked(_, let at, let multiplier):
            guard phase == .flying else { return outOfPlace() }
            if let tookOffAt = track.state.tookOffAt {
                let onCurve = rules.config.curve.multiplier(atElapsedMilliseconds: at.milliseconds(since: tookOffAt))
                if onCurve != multiplier {
                    finding(.tickNotOnCurve, "tick shows \(multiplier), but the curve is at \(onCurve) \(at.milliseconds(since: tookOffAt)) ms after take-off")
                }
            }
            if track.highestTick.map({ multiplier > $0.multiplier }) ?? true { track.highestTick = (multiplier, position) }
            decider.apply(event, to: &track.state)
        case .cashedOut(_, let id, let player, let stake, let multiplier, let payout, let reason, let at):
            guard var bet = riding(id, player, stake) else { return }
            if let crash = track.crash {
                finding(.cashOutAfterCrash, "cash-out of bet \(id) is logged after the crash at \(crash.position)")
            } else if phase != .flying {
                outOfPlace()
            }
            if let tookOffAt = track.state.tookOffAt {
                for (kind, message) in Self.cashOutProblems(id: id, bet: bet, multiplier: multiplier, reason: reason, at: at,
                                                            tookOffAt: tookOffAt, config: rules.config) {
                    finding(kind, message)
                }
            }
            let expected = decider.payout(of: bet.stake, at: multiplier)
            if payout != expected {
                finding(.payoutNotByRule, "bet \(id) paid \(payout), \(payout.minorUnits > expected.minorUnits ? "above" : "below") the rule: min(floor(\(bet.stake) × \(multiplier)), maximum win \(rules.config.maximumWinMinorUnits)) = \(expected)")
            }
            if track.crash == nil { track.pendingCashOuts.append(PendingCashOut(betID: id, multiplier: multiplier, at: at, position: position)) }
            applyIfRiding(id, phase: .flying)
            bet.outcome = .cashedOut(multiplier: multiplier, payout: payout, reason: reason, at: at)
            bet.outcomePosition = position
            track.bets[id] = bet
            track.payoutMinor += payout.minorUnits
            settled(bet, payoutMinor: payout.minorUnits)
            matchOutcome(BetReference(table: table, round: round, betID: id), .settle(payoutMinor: payout.minorUnits),
                         houseMinor: bet.stake.minorUnits - payout.minorUnits, currency: stake.currency.code, position: position)
            track.detail?.updateBet(id, player: player, stake: stake) {
                $0.status = "cashed_out"; $0.cashOutHundredths = multiplier.hundredths; $0.cashOutReason = reason.rawValue
                $0.payoutMinor = payout.minorUnits; $0.settledAt = at.milliseconds
            }
        case .crashed(_, let point, let seed, let at):
            guard phase == .flying else { return outOfPlace() }
            checkCrash(&track, table: table, point: point, seed: seed, at: at, position: position, config: rules.config)
            decider.apply(event, to: &track.state)
            track.previousSeed = track.revealedSeedIsProof ? seed : nil
            track.detail?.phase = "crashed"
            track.detail?.seed = seed
            track.detail?.crashPointHundredths = point.hundredths
            track.detail?.crashedAt = at.milliseconds
        case .betLost(_, let id, let player, let stake):
            guard var bet = riding(id, player, stake) else { return }
            if phase != .crashed { outOfPlace() }
            applyIfRiding(id, phase: .crashed)
            bet.outcome = .lost
            bet.outcomePosition = position
            track.bets[id] = bet
            settled(bet, payoutMinor: 0)
            matchOutcome(BetReference(table: table, round: round, betID: id), .settle(payoutMinor: 0),
                         houseMinor: bet.stake.minorUnits, currency: stake.currency.code, position: position)
            let crashedAt = track.detail?.crashedAt
            track.detail?.updateBet(id, player: player, stake: stake) { $0.status = "lost"; $0.payoutMinor = 0; $0.settledAt = crashedAt }
        case .roundVoided(_, let reason, let at):
            guard [.betting, .closed, .flying].contains(phase) else { return outOfPlace() }
            decider.apply(event, to: &track.state)
            track.detail?.phase = "voided"
            track.detail?.voidedAt = at.milliseconds
            track.detail?.voidReason = reason
        case .betRefunded(_, let id, let player, let stake):
            guard var bet = riding(id, player, stake) else { return }
            if phase != .voided { outOfPlace() }
            applyIfRiding(id, phase: .voided)
            bet.outcome = .refunded
            bet.outcomePosition = position
            track.bets[id] = bet
            track.stakeMinor -= bet.stake.minorUnits
            matchOutcome(BetReference(table: table, round: round, betID: id), .release(.refunded), houseMinor: 0,
                         currency: stake.currency.code, position: position)
            let voidedAt = track.detail?.voidedAt
            track.detail?.updateBet(id, player: player, stake: stake) { $0.status = "refunded"; $0.payoutMinor = 0; $0.settledAt = voidedAt }
        case .roundSettled(_, let count, let totalStake, let totalPayout, let at):
            guard phase == .crashed else { return outOfPlace() }
            let accepted = track.bets.values.filter { $0.outcome != .cancelled }.count
            if count != accepted || totalStake.minorUnits != track.stakeMinor || totalPayout.minorUnits != track.payoutMinor {
                finding(.roundTotalsMismatch, "roundSettled says \(count) bets, stake \(totalStake.minorUnits), payout \(totalPayout.minorUnits); the round's bets give \(accepted) bets, stake \(track.stakeMinor), payout \(track.payoutMinor)")
            }
            decider.apply(event, to: &track.state)
            track.detail?.phase = "settled"
            track.detail?.settledAt = at.milliseconds
            track.detail?.bets = Int64(count)
            track.detail?.currency = totalStake.currency.code
            track.detail?.totalStakeMinor = totalStake.minorUnits
            track.detail?.totalPayoutMinor = totalPayout.minorUnits
        }
    }

    /// A funded bet the authority refused: its stake must be given back.
    private mutating func rejected(_ bet: BetReference, player: PlayerID, stake: Money, position: AuditPosition) {
        if configuration.covers(bet.table, bet.round) { summary.betsRejected += 1 }
        matchPlaced(bet, player: player, stake: stake, auto: nil, position: position, rejected: true)
        matchOutcome(bet, .release(.rejected), houseMinor: 0, currency: stake.currency.code, position: position)
    }

    /// The rules of docs/cashout-rules.md that need no crash point: the curve, the triggers.
    private static func cashOutProblems(id: BetID, bet: TrackedBet, multiplier: Multiplier, reason: CashOutReason, at: Timestamp,
                                        tookOffAt: Timestamp, config: TableConfig) -> [(AuditFindingKind, String)] {
        var problems: [(AuditFindingKind, String)] = []
        func finding(_ kind: AuditFindingKind, _ message: String) { problems.append((kind, message)) }
        let curve = config.curve
        switch reason {
        case .manual:
            let elapsed = at.milliseconds(since: tookOffAt)
            let onCurve = curve.multiplier(atElapsedMilliseconds: elapsed)
            if onCurve != multiplier {
                finding(.cashOutNotOnCurve, "manual cash-out of bet \(id) at \(multiplier), but the curve shows \(onCurve) at \(elapsed) ms after take-off")
            }
        case .auto, .maximumWin:
            let trigger: Multiplier
            if reason == .auto {
                guard let target = bet.autoCashOut else {
                    finding(.cashOutWrongTrigger, "auto cash-out of bet \(id), which has no auto target")
                    return problems
                }
                trigger = target
            } else {
                trigger = config.maximumWinTrigger(stakeMinorUnits: bet.stake.minorUnits)
                if let target = bet.autoCashOut, target < trigger {
                    finding(.cashOutWrongTrigger, "bet \(id) forced out at the maximum win although its auto target \(target) comes first")
                }
            }
            if multiplier != trigger {
                finding(.cashOutWrongTrigger, "\(reason.rawValue) cash-out of bet \(id) at \(multiplier), but its trigger is \(trigger)")
            } else if multiplier <= GrowthCurve.ceiling {
                let reached = tookOffAt.advanced(byMilliseconds: curve.firstElapsedMilliseconds(reaching: multiplier))
                if at != reached {
                    finding(.cashOutWrongTrigger, "\(reason.rawValue) cash-out of bet \(id) at instant \(at.milliseconds), but the curve reached \(multiplier) at \(reached.milliseconds)")
                }
            }
        }
        return problems
    }

    /// The fairness proof and the cash-outs that waited for the crash point.
    private mutating func checkCrash(_ track: inout TableTrack, table: TableID, point: Multiplier, seed: String, at: Timestamp,
                                     position: AuditPosition, config: TableConfig) {
        let round = track.state.round
        func finding(_ kind: AuditFindingKind, _ message: String) { report(kind, position, table: table, round: round, message: message) }
        var truePoint = point
        var seedProves = true
        if let seedBytes = Bytes32(hex: seed), seed.utf8.count == 64 {
            let hash = SHA256.hash(seedBytes)
            if let commitment = track.state.commitment, hash.hex != commitment.lowercased() {
                finding(.seedDoesNotProveCommitment, "SHA-256 of the revealed seed \(seed) is \(hash.hex), not the round's commitment \(commitment)")
                // A seed that proves nothing proves no crash point either: the logged one is used for
                // the cash-out checks, and the next round's link is checked against this commitment.
                seedProves = false
            } else if let scheme = scheme(for: table) {
                let recomputed = scheme.crashPoint(seed: seedBytes)
                if recomputed != point {
                    finding(.crashPointMismatch, "crash point \(point) logged, but HMAC-SHA256(salt, seed) gives \(recomputed)")
                }
                truePoint = recomputed
            } else {
                summary.crashPointsNotRecomputed += 1
            }
        } else {
            finding(.seedDoesNotProveCommitment, "revealed seed '\(seed)' is not 64 hex digits")
            seedProves = false
        }
        if !seedProves { track.revealedSeedIsProof = false }
        guard let tookOffAt = track.state.tookOffAt, truePoint >= .one, truePoint <= GrowthCurve.ceiling else { return }
        let crashAt = tookOffAt.advanced(byMilliseconds: config.curve.firstElapsedMilliseconds(reaching: truePoint))
        if at != crashAt {
            finding(.crashInstantMismatch, "crashed at \(at.milliseconds), but the curve reaches \(truePoint) at \(crashAt.milliseconds)")
        }
        for cashOut in track.pendingCashOuts {
            if cashOut.multiplier >= truePoint {
                report(.cashOutAfterCrash, cashOut.position, table: table, round: track.state.round,
                       message: "bet \(cashOut.betID) cashed out at \(cashOut.multiplier), not below the crash point \(truePoint)")
            } else if cashOut.at >= crashAt {
                report(.cashOutAfterCrash, cashOut.position, table: table, round: track.state.round,
                       message: "bet \(cashOut.betID) cashed out at instant \(cashOut.at.milliseconds), at or after the crash instant \(crashAt.milliseconds)")
            }
        }
        if let tick = track.highestTick, tick.multiplier >= truePoint {
            report(.tickNotOnCurve, tick.position, table: table, round: track.state.round,
                   message: "a tick showed \(tick.multiplier), not below the crash point \(truePoint)")
        }
        track.pendingCashOuts = []
        track.crash = (truePoint, crashAt, position)
    }

    private mutating func scheme(for table: TableID) -> AscentCrashScheme? {
        if let cached = schemes[table] { return cached }
        let rules = configuration.rules(for: table)
        let scheme = rules.salt.map { AscentCrashScheme(salt: $0, houseEdgeBasisPoints: rules.config.houseEdgeBasisPoints) }
        schemes[table] = scheme
        return scheme
    }

    /// Counts a bet settled by the round (cashed out or lost) in the money totals.
    private mutating func settled(_ bet: TrackedBet, payoutMinor: Int64) {
        var totals = summary.currencies[bet.stake.currency.code] ?? AuditSummary.CurrencyTotals()
        totals.stakeMinor += bet.stake.minorUnits
        totals.payoutMinor += payoutMinor
        totals.houseResultFromRoundsMinor += bet.stake.minorUnits - payoutMinor
        summary.currencies[bet.stake.currency.code] = totals
    }

    /// Closes the table's current round: counts it and reports accepted bets left without an outcome.
    mutating func finalize(_ track: inout TableTrack, table: TableID, atEnd: Bool) {
        guard track.opened, !track.finalized else { return }
        track.finalized = true
        guard track.covered else { return }
        let round = track.state.round
        if atEnd && !track.state.isFinished {
            summary.openRounds += 1
            return
        }
        summary.rounds += 1
        if track.state.phase == .voided { summary.roundsVoided += 1 }
        if track.crash != nil || track.state.crashPoint != nil { summary.roundsCrashed += 1 }
        for id in track.betOrder {
            let bet = track.bets[id]!
            summary.bets += 1
            switch bet.outcome {
            case .cashedOut: summary.betsCashedOut += 1
            case .lost: summary.betsLost += 1
            case .refunded: summary.betsRefunded += 1
            case .cancelled: summary.betsCancelled += 1
            case nil:
                report(.betNotSettled, bet.position, table: table, round: round,
                       message: "bet \(id) was accepted but round \(round) ended (\(track.state.phase.rawValue)) without an outcome for it")
            }
        }
        if let detail = track.detail { details.append(detail) }
        track.bets = [:]
        track.betOrder = []
        track.detail = nil
    }
}
