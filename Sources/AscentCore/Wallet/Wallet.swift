/// The wallet decider for one player: `decide(command, state)` and `evolve(state, event)`.
///
/// Balances never go negative: a stake is only held when the spendable balance covers it, and a
/// payout only credits a stake that is held. Refused reservations are recorded as `stakeRefused`
/// events, because the edge learns the outcome of a bet from the log; every other refusal is a
/// rejection returned to the sender.
public enum Wallet {
    /// Milliseconds in a UTC day, for the daily limits.
    public static let dayMilliseconds: Int64 = 86_400_000
    /// How long a loosening of limits waits before it applies (a day, as regulators commonly ask).
    public static let coolingOffMilliseconds: Int64 = 86_400_000

    /// The events `command` causes in `state`, or the rule it breaks. A repeated command gives no events.
    public static func decide(_ command: WalletCommand, state: WalletState) -> Result<[WalletEvent], WalletRejection> {
        if let previous = state.commands[command.id] {
            return previous == command.action ? .success([]) : .failure(.duplicateCommandID)
        }
        let id = command.id, player = command.player, at = command.at
        switch command.action {
        case .deposit(let amount, let reference):
            guard amount.minorUnits > 0 else { return .failure(.nonPositiveAmount) }
            guard (try? state.available(amount.currency).adding(amount)) != nil else { return .failure(.amountTooLarge) }
            return .success([.deposited(commandID: id, player: player, amount: amount, reference: reference, at: at)])
        case .withdraw(let amount, let reference):
            guard amount.minorUnits > 0 else { return .failure(.nonPositiveAmount) }
            guard state.available(amount.currency).minorUnits >= amount.minorUnits else { return .failure(.insufficientFunds) }
            return .success([.withdrawn(commandID: id, player: player, amount: amount, reference: reference, at: at)])
        case .reserveStake(let bet, let amount, let autoCashOut):
            guard amount.minorUnits > 0 else { return .failure(.nonPositiveAmount) }
            guard state.reservations[bet] == nil else { return .failure(.betAlreadyReserved) }
            if let refusal = refusal(toReserve: amount, state: state, at: at) {
                return .success([.stakeRefused(commandID: id, player: player, bet: bet, amount: amount, autoCashOut: autoCashOut,
                                               reason: refusal, at: at)])
            }
            return .success([.stakeReserved(commandID: id, player: player, bet: bet, amount: amount, autoCashOut: autoCashOut, at: at)])
        case .releaseStake(let bet, let reason):
            guard let reservation = state.reservations[bet] else { return .failure(.unknownReservation) }
            return .success([.stakeReleased(commandID: id, player: player, bet: bet, amount: reservation.amount, reason: reason, at: at)])
        case .settleBet(let bet, let payout):
            guard let reservation = state.reservations[bet] else { return .failure(.unknownReservation) }
            guard payout.currency == reservation.amount.currency else { return .failure(.currencyMismatch) }
            guard payout.minorUnits >= 0 else { return .failure(.nonPositiveAmount) }
            guard (try? state.available(payout.currency).adding(payout)) != nil else { return .failure(.amountTooLarge) }
            return .success([.betSettled(commandID: id, player: player, bet: bet, stake: reservation.amount, payout: payout, at: at)])
        case .setLimits(let limits):
            guard (limits.dailyStakeMinorUnits ?? 0) >= 0, (limits.dailyLossMinorUnits ?? 0) >= 0 else { return .failure(.invalidLimit) }
            let current = state.limits(at: at)
            let effectiveAt = limits.isAtLeastAsStrict(as: current) ? at : at.advanced(byMilliseconds: coolingOffMilliseconds)
            return .success([.limitsSet(commandID: id, player: player, limits: limits, effectiveAt: effectiveAt, at: at)])
        case .selfExclude(let until):
            // Exclusion can be extended, never shortened: applying it keeps the later instant.
            return .success([.selfExcluded(commandID: id, player: player, until: until, at: at)])
        }
    }

    private static func refusal(toReserve amount: Money, state: WalletState, at: Timestamp) -> WalletRejection? {
        if let until = state.excludedUntil, at < until { return .selfExcluded(until: until) }
        guard state.available(amount.currency).minorUnits >= amount.minorUnits else { return .insufficientFunds }
        let limits = state.limits(at: at)
        let sameDay = at.milliseconds / dayMilliseconds == state.day
        let staked = sameDay ? state.stakedToday : 0
        let lost = sameDay ? state.lostToday : 0
        if let limit = limits.dailyStakeMinorUnits, staked + amount.minorUnits > limit { return .dailyStakeLimit(limit: limit) }
        if let limit = limits.dailyLossMinorUnits {
            // Every stake still riding may yet be lost: count it.
            let riding = state.reservations.values.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            if lost + riding + amount.minorUnits > limit { return .dailyLossLimit(limit: limit) }
        }
        return nil
    }

    /// The state after `event`.
    public static func evolve(_ state: WalletState, _ event: WalletEvent) -> WalletState {
        var next = state
        apply(event, to: &next)
        return next
    }

    /// The state after every event of `events`.
    public static func fold(_ events: some Sequence<WalletEvent>, from state: WalletState = WalletState()) -> WalletState {
        var result = state
        for event in events { apply(event, to: &result) }
        return result
    }

    /// Applies `event` in place. An event that would make a balance negative means a corrupt log:
    /// the process stops.
    public static func apply(_ event: WalletEvent, to state: inout WalletState) {
        switch event {
        case .deposited(let id, _, let amount, let reference, let at):
            state.commands[id] = .deposit(amount, reference: reference)
            credit(amount, &state)
            rollDay(at, &state)
        case .withdrawn(let id, _, let amount, let reference, let at):
            state.commands[id] = .withdraw(amount, reference: reference)
            debit(amount, &state)
            rollDay(at, &state)
        case .stakeReserved(let id, _, let bet, let amount, let autoCashOut, let at):
            state.commands[id] = .reserveStake(bet, amount, autoCashOut: autoCashOut)
            debit(amount, &state)
            state.reservations[bet] = WalletState.Reservation(commandID: id, amount: amount, at: at)
            rollDay(at, &state)
            state.stakedToday += amount.minorUnits
        case .stakeRefused(let id, _, let bet, let amount, let autoCashOut, _, _):
            state.commands[id] = .reserveStake(bet, amount, autoCashOut: autoCashOut)
        case .stakeReleased(let id, _, let bet, let amount, let reason, let at):
            state.commands[id] = .releaseStake(bet, reason: reason)
            let reservation = state.reservations.removeValue(forKey: bet)
            precondition(reservation?.amount == amount, "release of \(bet) does not match its reservation")
            credit(amount, &state)
            rollDay(at, &state)
            // A stake given back no longer counts as staked, but only on the day it was staked.
            if reservation!.at.milliseconds / dayMilliseconds == state.day { state.stakedToday -= amount.minorUnits }
        case .betSettled(let id, _, let bet, let stake, let payout, let at):
            state.commands[id] = .settleBet(bet, payout: payout)
            precondition(state.reservations.removeValue(forKey: bet)?.amount == stake, "settlement of \(bet) does not match its reservation")
            credit(payout, &state)
            rollDay(at, &state)
            state.lostToday += stake.minorUnits - payout.minorUnits
        case .limitsSet(let id, _, let limits, let effectiveAt, let at):
            state.commands[id] = .setLimits(limits)
            if let pending = state.pendingLimits, at >= pending.effectiveAt { state.limits = pending.limits }
            if effectiveAt <= at {
                state.limits = limits
                state.pendingLimits = nil
            } else {
                state.pendingLimits = (limits, effectiveAt)
            }
        case .selfExcluded(let id, _, let until, _):
            state.commands[id] = .selfExclude(until: until)
            state.excludedUntil = max(until, state.excludedUntil ?? until)
        }
    }

    private static func credit(_ amount: Money, _ state: inout WalletState) {
        let (sum, overflow) = (state.available[amount.currency.code] ?? 0).addingReportingOverflow(amount.minorUnits)
        precondition(!overflow, "balance overflow")
        state.available[amount.currency.code] = sum
    }

    private static func debit(_ amount: Money, _ state: inout WalletState) {
        let balance = (state.available[amount.currency.code] ?? 0) - amount.minorUnits
        precondition(balance >= 0, "a balance would go negative: the wallet log is corrupt")
        state.available[amount.currency.code] = balance
    }

    private static func rollDay(_ at: Timestamp, _ state: inout WalletState) {
        let day = at.milliseconds / dayMilliseconds
        if day != state.day {
            state.day = day
            state.stakedToday = 0
            state.lostToday = 0
        }
    }
}
