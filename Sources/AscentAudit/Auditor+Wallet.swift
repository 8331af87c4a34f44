import AscentCore

extension Auditor {
    /// Feeds one decoded wallet event read at `position`.
    public mutating func consume(_ event: WalletEvent, at position: AuditPosition) {
        switch event {
        case .deposited(_, let player, let amount, _, _):
            move(player, amount.currency.code, available: amount.minorUnits, reserved: 0, position: position)
            summary.currencies[amount.currency.code, default: AuditSummary.CurrencyTotals()].depositsMinor += amount.minorUnits
        case .withdrawn(_, let player, let amount, _, _):
            move(player, amount.currency.code, available: -amount.minorUnits, reserved: 0, position: position)
            summary.currencies[amount.currency.code, default: AuditSummary.CurrencyTotals()].withdrawalsMinor += amount.minorUnits
        case .stakeReserved(_, let player, let bet, let amount, let auto, _):
            move(player, amount.currency.code, available: -amount.minorUnits, reserved: amount.minorUnits, position: position)
            var match = matches[bet] ?? WalletMatch()
            if let existing = match.reservation {
                report(.duplicateReservation, position, table: bet.table, round: bet.round,
                       message: "a stake for bet \(bet.betID) was already reserved at \(existing.position)")
            } else {
                match.reservation = (player, amount, auto, position)
                compareReservation(match, bet)
            }
            store(match, bet)
        case .stakeRefused, .limitsSet, .selfExcluded:
            break
        case .stakeReleased(_, let player, let bet, let amount, let reason, _):
            move(player, amount.currency.code, available: amount.minorUnits, reserved: -amount.minorUnits, position: position)
            walletSettled(bet, .release(reason), heldMinor: amount, position: position)
        case .betSettled(_, let player, let bet, let stake, let payout, _):
            move(player, stake.currency.code, available: payout.minorUnits, reserved: -stake.minorUnits, position: position)
            summary.currencies[stake.currency.code, default: AuditSummary.CurrencyTotals()].houseResultFromWalletMinor
                += stake.minorUnits - payout.minorUnits
            walletSettled(bet, .settle(payoutMinor: payout.minorUnits), heldMinor: stake, position: position)
        }
    }

    private mutating func move(_ player: PlayerID, _ currency: String, available: Int64, reserved: Int64, position: AuditPosition) {
        let key = BalanceKey(player: player, currency: currency)
        var balance = balances[key] ?? Balance()
        // Reported the first time it goes negative: once the player's money is wrong, every later
        // move inherits the error, and one finding names where it began.
        balance.available += available
        balance.reserved += reserved
        if balance.isNegative && !balance.wentNegative {
            balance.wentNegative = true
            report(.negativeBalance, position,
                   message: "player \(player)'s \(currency) balance goes negative: available \(balance.available), held \(balance.reserved)")
        }
        balances[key] = balance
    }

    private mutating func walletSettled(_ bet: BetReference, _ outcome: MoneyOutcome, heldMinor: Money, position: AuditPosition) {
        var match = matches[bet] ?? WalletMatch()
        guard let reservation = match.reservation, match.settled == nil else {
            let previous = match.settled.map { " (already settled at \($0.position))" } ?? ""
            report(.settlementWithoutReservation, position, table: bet.table, round: bet.round,
                   message: "\(outcome) for bet \(bet) holds no reserved stake\(previous)")
            return
        }
        if reservation.amount != heldMinor {
            report(.walletSettlementMismatch, position, table: bet.table, round: bet.round,
                   message: "\(outcome) for bet \(bet) gives back or spends \(heldMinor), but \(reservation.amount) was reserved at \(reservation.position)")
        }
        match.settled = (outcome, position)
        compareSettlement(match, bet)
        store(match, bet)
    }

    /// The round accepted (or rejected) `bet`.
    mutating func matchPlaced(_ bet: BetReference, player: PlayerID, stake: Money, auto: Multiplier?, position: AuditPosition, rejected: Bool) {
        var match = matches[bet] ?? WalletMatch()
        guard match.placed == nil else { return }
        match.placed = (player, stake, auto, position, rejected)
        compareReservation(match, bet)
        store(match, bet)
    }

    /// The round decided `bet`'s money: `outcome`, leaving the house `houseMinor`.
    mutating func matchOutcome(_ bet: BetReference, _ outcome: MoneyOutcome, houseMinor: Int64, currency: String, position: AuditPosition) {
        var match = matches[bet] ?? WalletMatch()
        guard match.expected == nil else { return }
        match.expected = (outcome, houseMinor, currency, position)
        compareSettlement(match, bet)
        store(match, bet)
    }

    private mutating func compareReservation(_ match: WalletMatch, _ bet: BetReference) {
        guard let reservation = match.reservation, let placed = match.placed else { return }
        // A rejection carries no auto target: compare only what it carries.
        let autoDiffers = !placed.rejected && reservation.autoCashOut != placed.autoCashOut
        if reservation.player != placed.player || reservation.amount != placed.stake || autoDiffers {
            report(.reservationMismatch, placed.position, table: bet.table, round: bet.round,
                   message: "bet \(bet.betID) is player \(placed.player) stake \(placed.stake) auto \(placed.autoCashOut?.description ?? "none"), but the stake reserved at \(reservation.position) is player \(reservation.player) \(reservation.amount) auto \(reservation.autoCashOut?.description ?? "none")")
        }
    }

    private mutating func compareSettlement(_ match: WalletMatch, _ bet: BetReference) {
        guard let expected = match.expected, let settled = match.settled else { return }
        if expected.outcome != settled.outcome {
            report(.walletSettlementMismatch, settled.position, table: bet.table, round: bet.round,
                   message: "the wallet's \(settled.outcome) for bet \(bet.betID) differs from the round's outcome at \(expected.position), which calls for \(expected.outcome)")
        }
    }

    /// Keeps `match` until both sides are complete, then forgets it (bounded memory).
    private mutating func store(_ match: WalletMatch, _ bet: BetReference) {
        if match.isComplete { matches[bet] = nil } else { matches[bet] = match }
    }

    /// Reports what was never matched and checks that money is conserved.
    mutating func finishWallet() {
        var heldByBets: [String: Int64] = [:]
        var lagByCurrency: [String: Int64] = [:]
        for (bet, match) in matches.sorted(by: { $0.key < $1.key }) {
            if let reservation = match.reservation, match.settled == nil {
                heldByBets[reservation.amount.currency.code, default: 0] += reservation.amount.minorUnits
            }
            if let placed = match.placed, match.reservation == nil {
                report(.stakeNeverReserved, placed.position, table: bet.table, round: bet.round,
                       message: "bet \(bet.betID) of player \(placed.player) (stake \(placed.stake)) was \(placed.rejected ? "rejected" : "accepted") but no stakeReserved for it is on the wallet topic")
            }
            if let expected = match.expected, match.settled == nil {
                lagByCurrency[expected.currency, default: 0] += expected.houseMinor
            }
            // Without a reservation the bet is reported as never reserved: one root cause, one finding.
            if let expected = match.expected, match.settled == nil, match.reservation != nil {
                report(.walletSettlementMissing, expected.position, table: bet.table, round: bet.round,
                       message: "bet \(bet.betID)'s outcome calls for \(expected.outcome), which is not on the wallet topic")
            }
            if let reservation = match.reservation, match.placed == nil, isPast(bet) {
                report(.stakeHeldWithoutBet, reservation.position, table: bet.table, round: bet.round,
                       message: "a stake of \(reservation.amount) was reserved for bet \(bet.betID) of round \(bet.round), which neither accepted nor rejected it")
            }
        }
        var byCurrency: [String: (available: Int64, reserved: Int64)] = [:]
        for (key, balance) in balances {
            byCurrency[key.currency, default: (0, 0)].available += balance.available
            byCurrency[key.currency, default: (0, 0)].reserved += balance.reserved
        }
        for (code, sums) in byCurrency {
            summary.currencies[code, default: AuditSummary.CurrencyTotals()].availableMinor = sums.available
            summary.currencies[code, default: AuditSummary.CurrencyTotals()].reservedMinor = sums.reserved
        }
        for code in summary.currencies.keys.sorted() {
            let totals = summary.currencies[code]!
            if totals.imbalanceMinor != 0 {
                report(.moneyNotConserved, nil, message: "\(code): balances \(totals.availableMinor) + held \(totals.reservedMinor) + house \(totals.houseResultFromWalletMinor) differ from deposits \(totals.depositsMinor) − withdrawals \(totals.withdrawalsMinor) by \(totals.imbalanceMinor)")
            }
            if totals.reservedMinor != heldByBets[code, default: 0] {
                report(.moneyNotConserved, nil, message: "\(code): players hold \(totals.reservedMinor) in stakes, but the bets still open reserved \(heldByBets[code, default: 0])")
            }
            // The house result must be the same whether read from the rounds or the wallet, once the
            // outcomes still waiting for their wallet settlement are set aside. Only a whole-log audit can say.
            if configuration.table == nil && configuration.rounds == nil,
               totals.houseResultFromRoundsMinor - lagByCurrency[code, default: 0] != totals.houseResultFromWalletMinor {
                report(.moneyNotConserved, nil, message: "\(code): the house result from the rounds is \(totals.houseResultFromRoundsMinor) (\(lagByCurrency[code, default: 0]) awaiting settlement), from the wallet \(totals.houseResultFromWalletMinor)")
            }
        }
    }

    /// Whether `bet`'s round is over at its table, so its reservation should have been decided.
    private func isPast(_ bet: BetReference) -> Bool {
        guard let track = tables[bet.table] else { return true }
        return bet.round < track.state.round || (bet.round == track.state.round && track.state.isFinished)
    }
}
