extension Round {
    /// The state after `event`. Events are facts: one that does not fit the state means the log is
    /// corrupt or out of order, which stops the process.
    public func evolve(_ state: RoundState, _ event: RoundEvent) -> RoundState {
        var next = state
        apply(event, to: &next)
        return next
    }

    /// The state after every event of `events`, starting from `state`.
    public func fold(_ events: some Sequence<RoundEvent>, from state: RoundState = RoundState()) -> RoundState {
        var result = state
        for event in events { apply(event, to: &result) }
        return result
    }

    /// Applies `event` in place; what `evolve` does without copying the state.
    public func apply(_ event: RoundEvent, to state: inout RoundState) {
        switch event {
        case .roundOpened(let round, let commitment, let at, let bettingClosesAt):
            precondition(state.isFinished, "roundOpened while round \(state.round) is \(state.phase)")
            state = RoundState()
            state.round = round
            state.phase = .betting
            state.commitment = commitment
            state.openedAt = at
            state.bettingClosesAt = bettingClosesAt
            state.lastEventAt = at
        case .betPlaced(let round, let betID, let player, let stake, let autoCashOut, let at):
            expect(round, .betting, in: state, event)
            state.bets[betID] = Bet(id: betID, player: player, stake: stake, autoCashOut: autoCashOut,
                                    placedAt: at, sequence: state.betOrder.count, status: .active)
            state.betOrder.append(betID)
            state.activeBetsPerPlayer[player, default: 0] += 1
            state.totalStakeMinorUnits += stake.minorUnits
            state.lastEventAt = at
        case .betRejected, .authorityClaimed:
            // A refusal changes nothing in the round; it tells settlement to give the stake back.
            // A claim changes who may write, which readers track with an `AuthorityFence`.
            break
        case .betCancelled(let round, let betID, let player, let stake, let at):
            expect(round, .betting, in: state, event)
            state.bets[betID]!.status = .cancelled
            state.activeBetsPerPlayer[player, default: 0] -= 1
            state.totalStakeMinorUnits -= stake.minorUnits
            state.lastEventAt = at
        case .bettingClosed(let round, let at):
            expect(round, .betting, in: state, event)
            state.phase = .closed
            state.lastEventAt = at
        case .tookOff(let round, let at):
            expect(round, .closed, in: state, event)
            state.phase = .flying
            state.tookOffAt = at
            state.lastEventAt = at
            state.triggers = makeTriggers(state)
            state.nextTrigger = 0
        case .ticked(let round, let at, _):
            expect(round, .flying, in: state, event)
            state.lastTickAt = at
            state.lastEventAt = at
        case .cashedOut(let round, let betID, _, _, let multiplier, let payout, let reason, let at):
            expect(round, .flying, in: state, event)
            // One hash look-up: thousands of these are applied at a popular auto target's instant.
            guard let index = state.bets.index(forKey: betID), state.bets.values[index].status == .active else {
                preconditionFailure("cashedOut for a bet that is not riding: \(event)")
            }
            state.bets.values[index].status = .cashedOut(multiplier: multiplier, payout: payout, reason: reason, at: at)
            state.totalPayoutMinorUnits += payout.minorUnits
            state.lastEventAt = max(state.lastEventAt ?? at, at)
            // Skip triggers of bets no longer riding; this bet's own trigger needs no look-up.
            while state.nextTrigger < state.triggers.count {
                let next = state.triggers[state.nextTrigger].betID
                guard next == betID || state.bets[next]?.status != .active else { break }
                state.nextTrigger += 1
            }
        case .crashed(let round, let crashPoint, let seed, let at):
            expect(round, .flying, in: state, event)
            state.phase = .crashed
            state.crashPoint = crashPoint
            state.seed = seed
            state.lastEventAt = max(state.lastEventAt ?? at, at)
        case .betLost(let round, let betID, _, _):
            expect(round, .crashed, in: state, event)
            state.bets[betID]!.status = .lost
        case .roundVoided(let round, _, let at):
            precondition(round == state.round && [.betting, .closed, .flying].contains(state.phase), "roundVoided out of place: \(event)")
            state.phase = .voided
            state.lastEventAt = at
        case .betRefunded(let round, let betID, _, _):
            expect(round, .voided, in: state, event)
            state.bets[betID]!.status = .refunded
        case .roundSettled(let round, _, _, _, let at):
            expect(round, .crashed, in: state, event)
            state.phase = .settled
            state.lastEventAt = at
        }
    }

    private func expect(_ round: Int64, _ phase: RoundPhase, in state: RoundState, _ event: RoundEvent) {
        precondition(round == state.round && state.phase == phase,
                     "event \(event.typeName) for round \(round) does not fit round \(state.round) in phase \(state.phase)")
    }

    /// Every riding bet's first trigger: its auto target or the multiplier where it reaches the
    /// maximum win, whichever comes first; sorted by multiplier, ties by placement order.
    private func makeTriggers(_ state: RoundState) -> [Trigger] {
        var triggers: [Trigger] = []
        triggers.reserveCapacity(state.betOrder.count)
        for id in state.betOrder {
            let bet = state.bets[id]!
            guard bet.status == .active else { continue }
            let cap = config.maximumWinTrigger(stakeMinorUnits: bet.stake.minorUnits)
            if let target = bet.autoCashOut, target < cap {
                triggers.append(Trigger(multiplier: target, sequence: bet.sequence, betID: id, reason: .auto))
            } else {
                triggers.append(Trigger(multiplier: cap, sequence: bet.sequence, betID: id, reason: .maximumWin))
            }
        }
        triggers.sort { ($0.multiplier, $0.sequence) < ($1.multiplier, $1.sequence) }
        return triggers
    }
}
