/// The secret part of a round that only the authority knows before the crash: the seed from the
/// fairness chain and the crash point derived from it. It is an input to `decide`, never stored in
/// state or events before the crash, so the log reveals nothing early.
public struct RoundSecret: Hashable, Sendable {
    /// The round's seed as 64 lower-case hex digits; its SHA-256 is the round's commitment.
    public let seed: String
    /// The crash point derived from the seed.
    public let crashPoint: Multiplier

    /// A secret pairing `seed` with the crash point the fairness scheme derives from it.
    public init(seed: String, crashPoint: Multiplier) {
        precondition(crashPoint >= .one, "a crash point is at least 1.00x")
        self.seed = seed
        self.crashPoint = crashPoint
    }
}

/// The round decider: `decide(command, state) -> events or rejection`, `evolve(state, event) -> state`.
///
/// Deterministic and pure: the same config, state, command and secret always give the same answer.
public struct Round: Sendable {
    /// The table's rules.
    public let config: TableConfig

    /// A decider for a table with `config`.
    public init(config: TableConfig) { self.config = config }

    /// The events that `command` causes in `state`, or the rule it breaks. A repeated command gives
    /// no events. `secret` is the current round's seed and crash point.
    public func decide(_ command: RoundCommand, state: RoundState, secret: RoundSecret) -> Result<[RoundEvent], RoundRejection> {
        switch command {
        case .open(let round, let commitment, let at):
            return decideOpen(round: round, commitment: commitment, at: at, state: state)
        case .placeBet(let bet):
            return decidePlaceBet(bet, state: state)
        case .cancelBet(let betID, let player, let at):
            return decideCancel(betID: betID, player: player, at: at, state: state)
        case .closeBetting(let at):
            switch state.phase {
            case .betting:
                if let rejection = checkClock(at, state) { return .failure(rejection) }
                return .success([.bettingClosed(round: state.round, at: at)])
            case .closed, .flying, .crashed, .settled: return .success([])
            case .scheduled, .voided: return .failure(.wrongPhase(state.phase))
            }
        case .takeOff(let at):
            switch state.phase {
            case .betting, .closed:
                if let rejection = checkClock(at, state) { return .failure(rejection) }
                var events: [RoundEvent] = []
                if state.phase == .betting { events.append(.bettingClosed(round: state.round, at: at)) }
                events.append(.tookOff(round: state.round, at: at))
                return .success(events)
            case .flying, .crashed, .settled: return .success([])
            case .scheduled, .voided: return .failure(.wrongPhase(state.phase))
            }
        case .tick(let at):
            guard state.phase == .flying, let tookOffAt = state.tookOffAt else { return .failure(.wrongPhase(state.phase)) }
            if let last = state.lastTickAt, at <= last { return .success([]) }
            if let rejection = checkClock(at, state) { return .failure(rejection) }
            let multiplier = config.curve.multiplier(atElapsedMilliseconds: at.milliseconds(since: tookOffAt))
            if multiplier >= secret.crashPoint { return .failure(.crashPointReached) }
            var events = triggeredCashOuts(state, through: multiplier)
            events.append(.ticked(round: state.round, at: at, multiplier: multiplier))
            return .success(events)
        case .cashOut(let betID, let player, let at):
            return decideCashOut(betID: betID, player: player, at: at, state: state, secret: secret)
        case .crash(let at):
            switch state.phase {
            case .flying: break
            case .crashed, .settled: return .success([])
            case .scheduled, .betting, .closed, .voided: return .failure(.wrongPhase(state.phase))
            }
            let tookOffAt = state.tookOffAt!
            let crashAt = tookOffAt.advanced(byMilliseconds: config.curve.firstElapsedMilliseconds(reaching: secret.crashPoint))
            guard at >= crashAt else { return .failure(.crashPointNotReached) }
            if let rejection = checkClock(at, state) { return .failure(rejection) }
            // Auto targets strictly below the crash point were reached before it and win.
            let below = Multiplier(hundredths: secret.crashPoint.hundredths - 1)
            var events = triggeredCashOuts(state, through: below)
            let triggered = Set(events.compactMap(\.betID))
            events.append(.crashed(round: state.round, crashPoint: secret.crashPoint, seed: secret.seed, at: crashAt))
            for id in state.betOrder {
                let bet = state.bets[id]!
                guard bet.status == .active, !triggered.contains(id) else { continue }
                events.append(.betLost(round: state.round, betID: id, player: bet.player, stake: bet.stake))
            }
            return .success(events)
        case .void(let reason, let at):
            switch state.phase {
            case .betting, .closed, .flying: break
            case .voided: return .success([])
            case .scheduled, .crashed, .settled: return .failure(.wrongPhase(state.phase))
            }
            if let rejection = checkClock(at, state) { return .failure(rejection) }
            var events: [RoundEvent] = [.roundVoided(round: state.round, reason: reason, at: at)]
            for id in state.betOrder {
                let bet = state.bets[id]!
                guard bet.status == .active else { continue }
                events.append(.betRefunded(round: state.round, betID: id, player: bet.player, stake: bet.stake))
            }
            return .success(events)
        case .settle(let at):
            switch state.phase {
            case .crashed: break
            case .settled: return .success([])
            case .scheduled, .betting, .closed, .flying, .voided: return .failure(.wrongPhase(state.phase))
            }
            if let rejection = checkClock(at, state) { return .failure(rejection) }
            let settledBets = state.bets.values.filter { $0.status != .cancelled }.count
            return .success([.roundSettled(
                round: state.round, bets: settledBets,
                totalStake: Money(minorUnits: state.totalStakeMinorUnits, currency: config.currency),
                totalPayout: Money(minorUnits: state.totalPayoutMinorUnits, currency: config.currency), at: at)])
        }
    }

    private func checkClock(_ at: Timestamp, _ state: RoundState) -> RoundRejection? {
        if let last = state.lastEventAt, at < last { return .clockWentBackwards }
        return nil
    }

    private func decideOpen(round: Int64, commitment: String, at: Timestamp, state: RoundState) -> Result<[RoundEvent], RoundRejection> {
        if round == state.round && state.phase != .scheduled {
            return state.commitment == commitment ? .success([]) : .failure(.conflictingOpen)
        }
        guard state.isFinished else { return .failure(.roundInProgress(current: state.round)) }
        let expected = state.round + 1
        guard round >= 1, state.round == 0 || round == expected else {
            return .failure(.unexpectedRoundNumber(expected: expected, got: round))
        }
        guard commitment.utf8.count == 64, commitment.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return .failure(.malformedCommitment)
        }
        if let rejection = checkClock(at, state) { return .failure(rejection) }
        return .success([.roundOpened(round: round, commitment: commitment, at: at,
                                      bettingClosesAt: at.advanced(byMilliseconds: config.bettingWindowMilliseconds))])
    }

    private func decidePlaceBet(_ bet: PlaceBet, state: RoundState) -> Result<[RoundEvent], RoundRejection> {
        if let existing = state.bets[bet.betID] {
            return bet.isSameBet(as: existing) ? .success([]) : .failure(.duplicateBetID)
        }
        guard state.phase == .betting, let closesAt = state.bettingClosesAt, bet.at < closesAt else {
            return .failure(.bettingClosed)
        }
        guard bet.stake.currency == config.currency else {
            return .failure(.wrongCurrency(expected: config.currency, got: bet.stake.currency))
        }
        guard bet.stake.minorUnits >= config.minimumStakeMinorUnits else {
            return .failure(.stakeBelowMinimum(minimum: Money(minorUnits: config.minimumStakeMinorUnits, currency: config.currency)))
        }
        guard bet.stake.minorUnits <= config.maximumStakeMinorUnits else {
            return .failure(.stakeAboveMaximum(maximum: Money(minorUnits: config.maximumStakeMinorUnits, currency: config.currency)))
        }
        if let target = bet.autoCashOut, target < config.minimumAutoCashOut || target > config.maximumAutoCashOut {
            return .failure(.autoCashOutOutOfRange(minimum: config.minimumAutoCashOut, maximum: config.maximumAutoCashOut))
        }
        guard state.activeBetsPerPlayer[bet.player, default: 0] < config.maximumBetsPerPlayer else {
            return .failure(.tooManyBets(maximum: config.maximumBetsPerPlayer))
        }
        if let rejection = checkClock(bet.at, state) { return .failure(rejection) }
        return .success([.betPlaced(round: state.round, betID: bet.betID, player: bet.player, stake: bet.stake,
                                    autoCashOut: bet.autoCashOut, at: bet.at)])
    }

    private func decideCancel(betID: BetID, player: PlayerID, at: Timestamp, state: RoundState) -> Result<[RoundEvent], RoundRejection> {
        guard let bet = state.bets[betID] else { return .failure(.unknownBet) }
        guard bet.player == player else { return .failure(.betOfAnotherPlayer) }
        if bet.status == .cancelled { return .success([]) }
        guard state.phase == .betting, let closesAt = state.bettingClosesAt, at < closesAt else {
            return .failure(.bettingClosed)
        }
        if let rejection = checkClock(at, state) { return .failure(rejection) }
        return .success([.betCancelled(round: state.round, betID: betID, player: player, stake: bet.stake, at: at)])
    }

    private func decideCashOut(betID: BetID, player: PlayerID, at: Timestamp, state: RoundState,
                               secret: RoundSecret) -> Result<[RoundEvent], RoundRejection> {
        guard let bet = state.bets[betID] else { return .failure(.unknownBet) }
        guard bet.player == player else { return .failure(.betOfAnotherPlayer) }
        switch bet.status {
        case .cashedOut: return .success([])
        case .cancelled: return .failure(.betCancelled)
        case .lost: return .failure(.cashOutAfterCrash)
        case .refunded: return .failure(.wrongPhase(.voided))
        case .active: break
        }
        switch state.phase {
        case .flying: break
        case .betting, .closed, .scheduled: return .failure(.notFlying)
        case .crashed, .settled: return .failure(.cashOutAfterCrash)
        case .voided: return .failure(.wrongPhase(.voided))
        }
        let multiplier = config.curve.multiplier(atElapsedMilliseconds: at.milliseconds(since: state.tookOffAt!))
        guard multiplier < secret.crashPoint else { return .failure(.cashOutAfterCrash) }
        if let rejection = checkClock(at, state) { return .failure(rejection) }
        // Triggers reached before this instant go first: they happened earlier on the curve.
        var events = triggeredCashOuts(state, through: multiplier)
        if !events.contains(where: { $0.betID == betID }) {
            events.append(.cashedOut(round: state.round, betID: betID, player: player, stake: bet.stake,
                                     multiplier: multiplier, payout: payout(of: bet.stake, at: multiplier),
                                     reason: .manual, at: at))
        }
        return .success(events)
    }

    /// Cash-outs of riding bets whose trigger is at or below `limit`, in curve order, each at the
    /// instant the curve reached its trigger.
    private func triggeredCashOuts(_ state: RoundState, through limit: Multiplier) -> [RoundEvent] {
        var events: [RoundEvent] = []
        var index = state.nextTrigger
        // Triggers come sorted by multiplier and many share one (a popular auto target): the instant
        // the curve reaches a multiplier is a search over the curve, done once per distinct value.
        var reached: (multiplier: Multiplier, at: Timestamp)?
        while index < state.triggers.count, state.triggers[index].multiplier <= limit {
            let trigger = state.triggers[index]
            index += 1
            guard let bet = state.bets[trigger.betID], bet.status == .active else { continue }
            if reached?.multiplier != trigger.multiplier {
                reached = (trigger.multiplier,
                           state.tookOffAt!.advanced(byMilliseconds: config.curve.firstElapsedMilliseconds(reaching: trigger.multiplier)))
            }
            let at = reached!.at
            events.append(.cashedOut(round: state.round, betID: bet.id, player: bet.player, stake: bet.stake,
                                     multiplier: trigger.multiplier, payout: payout(of: bet.stake, at: trigger.multiplier),
                                     reason: trigger.reason, at: at))
        }
        return events
    }

    /// floor(stake × multiplier), never above the table's maximum win.
    public func payout(of stake: Money, at multiplier: Multiplier) -> Money {
        // Stakes are bounded by the table maximum, so the product fits; a failure here is a bug.
        let raw = try! stake.multiplied(by: multiplier)
        return Money(minorUnits: min(raw.minorUnits, config.maximumWinMinorUnits), currency: stake.currency)
    }
}
