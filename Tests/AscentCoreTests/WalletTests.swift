import AscentCore
import Testing

private let alice: PlayerID = "alice"
private let bet1 = BetReference(table: "main", round: 1, betID: "b1")
private let bet2 = BetReference(table: "main", round: 1, betID: "b2")
private let day: Int64 = 86_400_000

private func command(_ id: String, _ action: WalletAction, at time: Int64 = 1_000) -> WalletCommand {
    WalletCommand(id: id, player: alice, action: action, at: at(time))
}

private func givenWallet(_ history: [WalletEvent], when command: WalletCommand, then expected: Result<[WalletEvent], WalletRejection>,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let state = Wallet.fold(history)
    let result = Wallet.decide(command, state: state)
    #expect(result == expected, sourceLocation: sourceLocation)
    if case .success(let events) = result, !events.isEmpty {
        #expect(Wallet.decide(command, state: Wallet.fold(events, from: state)) == .success([]), "repeat must be a no-op",
                sourceLocation: sourceLocation)
    }
}

private let funded: [WalletEvent] = [.deposited(commandID: "d1", player: alice, amount: euros(1_000), reference: "op-1", at: at(0))]

@Suite struct WalletTests {
    @Test func depositsAndWithdrawalsKeepTheBalanceNonNegative() {
        givenWallet([], when: command("d1", .deposit(euros(1_000), reference: "op-1"), at: 0), then: .success(funded))
        givenWallet(funded, when: command("w1", .withdraw(euros(1_001), reference: "x")), then: .failure(.insufficientFunds))
        givenWallet(funded, when: command("w1", .withdraw(euros(1_000), reference: "x")),
                    then: .success([.withdrawn(commandID: "w1", player: alice, amount: euros(1_000), reference: "x", at: at(1_000))]))
        givenWallet(funded, when: command("w1", .withdraw(euros(0), reference: "x")), then: .failure(.nonPositiveAmount))
        givenWallet(funded, when: command("d2", .deposit(euros(-5), reference: "x")), then: .failure(.nonPositiveAmount))
        givenWallet(funded, when: command("d2", .deposit(euros(.max), reference: "x")), then: .failure(.amountTooLarge))
        givenWallet(funded, when: command("d1", .deposit(euros(999), reference: "op-1")), then: .failure(.duplicateCommandID))
        givenWallet(funded, when: command("d1", .deposit(euros(1_000), reference: "op-1"), at: 5), then: .success([]))
    }

    @Test func aStakeIsHeldOnlyWhenCoveredAndARefusalIsRecorded() {
        givenWallet(funded, when: command("r1", .reserveStake(bet1, euros(600), autoCashOut: nil)),
                    then: .success([.stakeReserved(commandID: "r1", player: alice, bet: bet1, amount: euros(600), autoCashOut: nil, at: at(1_000))]))
        let held = funded + [.stakeReserved(commandID: "r1", player: alice, bet: bet1, amount: euros(600), autoCashOut: nil, at: at(1_000))]
        givenWallet(held, when: command("r2", .reserveStake(bet2, euros(401), autoCashOut: nil)),
                    then: .success([.stakeRefused(commandID: "r2", player: alice, bet: bet2, amount: euros(401), autoCashOut: nil,
                                                  reason: .insufficientFunds, at: at(1_000))]))
        givenWallet(held, when: command("r3", .reserveStake(bet1, euros(1), autoCashOut: nil)), then: .failure(.betAlreadyReserved))
        let state = Wallet.fold(held)
        #expect(state.available(eur) == euros(400) && state.reserved(eur) == euros(600))
    }

    @Test func settlementSpendsTheStakeAndCreditsThePayoutOnce() {
        let held = funded + [.stakeReserved(commandID: "r1", player: alice, bet: bet1, amount: euros(600), autoCashOut: nil, at: at(1_000))]
        givenWallet(held, when: command("s1", .settleBet(bet1, payout: euros(1_500))),
                    then: .success([.betSettled(commandID: "s1", player: alice, bet: bet1, stake: euros(600), payout: euros(1_500), at: at(1_000))]))
        let settled = held + [.betSettled(commandID: "s1", player: alice, bet: bet1, stake: euros(600), payout: euros(1_500), at: at(1_000))]
        #expect(Wallet.fold(settled).available(eur) == euros(1_900))
        givenWallet(settled, when: command("s2", .settleBet(bet1, payout: euros(1_500))), then: .failure(.unknownReservation))
        givenWallet(held, when: command("s1", .settleBet(bet1, payout: Money(minorUnits: 5, currency: Currency(code: "USD")!))),
                    then: .failure(.currencyMismatch))
        givenWallet(held, when: command("x1", .releaseStake(bet1, reason: .refunded)),
                    then: .success([.stakeReleased(commandID: "x1", player: alice, bet: bet1, amount: euros(600), reason: .refunded, at: at(1_000))]))
    }

    @Test func dailyLimitsAndSelfExclusionRefuseStakes() {
        let limited = funded + [.limitsSet(commandID: "l1", player: alice, limits: GamingLimits(dailyStakeMinorUnits: 500, dailyLossMinorUnits: 300),
                                           effectiveAt: at(0), at: at(0))]
        givenWallet(limited, when: command("r1", .reserveStake(bet1, euros(501), autoCashOut: nil)),
                    then: .success([.stakeRefused(commandID: "r1", player: alice, bet: bet1, amount: euros(501), autoCashOut: nil, reason: .dailyStakeLimit(limit: 500), at: at(1_000))]))
        givenWallet(limited, when: command("r1", .reserveStake(bet1, euros(301), autoCashOut: nil)),
                    then: .success([.stakeRefused(commandID: "r1", player: alice, bet: bet1, amount: euros(301), autoCashOut: nil, reason: .dailyLossLimit(limit: 300), at: at(1_000))]))
        // The next UTC day starts afresh.
        let lostToday = limited + [.stakeReserved(commandID: "r1", player: alice, bet: bet1, amount: euros(300), autoCashOut: nil, at: at(1_000)),
                                   .betSettled(commandID: "s1", player: alice, bet: bet1, stake: euros(300), payout: euros(0), at: at(2_000))]
        givenWallet(lostToday, when: command("r2", .reserveStake(bet2, euros(1), autoCashOut: nil)),
                    then: .success([.stakeRefused(commandID: "r2", player: alice, bet: bet2, amount: euros(1), autoCashOut: nil, reason: .dailyLossLimit(limit: 300), at: at(1_000))]))
        givenWallet(lostToday, when: command("r2", .reserveStake(bet2, euros(1), autoCashOut: nil), at: day + 1),
                    then: .success([.stakeReserved(commandID: "r2", player: alice, bet: bet2, amount: euros(1), autoCashOut: nil, at: at(day + 1))]))
        let excluded = funded + [.selfExcluded(commandID: "x", player: alice, until: at(day), at: at(0))]
        givenWallet(excluded, when: command("r1", .reserveStake(bet1, euros(10), autoCashOut: nil)),
                    then: .success([.stakeRefused(commandID: "r1", player: alice, bet: bet1, amount: euros(10), autoCashOut: nil, reason: .selfExcluded(until: at(day)), at: at(1_000))]))
        // Asking for a shorter exclusion does not shorten it.
        let shorter = excluded + [.selfExcluded(commandID: "x2", player: alice, until: at(5), at: at(1_000))]
        #expect(Wallet.fold(shorter).excludedUntil == at(day))
    }

    @Test func looserLimitsWaitADayTighterOnesApplyAtOnce() {
        let limited = funded + [.limitsSet(commandID: "l1", player: alice, limits: GamingLimits(dailyStakeMinorUnits: 100), effectiveAt: at(0), at: at(0))]
        givenWallet(limited, when: command("l2", .setLimits(GamingLimits(dailyStakeMinorUnits: 50))),
                    then: .success([.limitsSet(commandID: "l2", player: alice, limits: GamingLimits(dailyStakeMinorUnits: 50), effectiveAt: at(1_000), at: at(1_000))]))
        givenWallet(limited, when: command("l2", .setLimits(GamingLimits())),
                    then: .success([.limitsSet(commandID: "l2", player: alice, limits: GamingLimits(), effectiveAt: at(1_000 + day), at: at(1_000))]))
        let loosened = limited + [.limitsSet(commandID: "l2", player: alice, limits: GamingLimits(), effectiveAt: at(1_000 + day), at: at(1_000))]
        #expect(Wallet.fold(loosened).limits(at: at(2_000)) == GamingLimits(dailyStakeMinorUnits: 100))
        #expect(Wallet.fold(loosened).limits(at: at(1_000 + day)) == GamingLimits())
        givenWallet(limited, when: command("l3", .setLimits(GamingLimits(dailyLossMinorUnits: -1))), then: .failure(.invalidLimit))
    }

    /// Random command streams: money is conserved (available + held = deposits − withdrawals − stakes
    /// settled + payouts), balances never go negative, repeats change nothing, replay equals live.
    @Test(arguments: Array(UInt64(1)...40)) func moneyIsConserved(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var state = WalletState()
        var log: [WalletEvent] = []
        var expected: Int64 = 0
        var now: Int64 = 0
        var bets: [BetReference] = []
        for step in 0..<300 {
            now += Int64.random(in: 0...4 * 3_600_000, using: &rng)
            let amount = euros([-1, 0, 1, 50, 500, 5_000].randomElement(using: &rng)!)
            let bet = bets.isEmpty || Bool.random(using: &rng) ? BetReference(table: "t", round: Int64(step), betID: "b") : bets.randomElement(using: &rng)!
            bets.append(bet)
            let action: WalletAction = switch Int.random(in: 0..<8, using: &rng) {
            case 0: .deposit(amount, reference: "d")
            case 1: .withdraw(amount, reference: "w")
            case 2, 3: .reserveStake(bet, amount, autoCashOut: Bool.random(using: &rng) ? x(200) : nil)
            case 4: .releaseStake(bet, reason: .cancelled)
            case 5, 6: .settleBet(bet, payout: euros(Int64.random(in: 0...2_000, using: &rng)))
            default: .setLimits(GamingLimits(dailyStakeMinorUnits: Bool.random(using: &rng) ? 2_000 : nil, dailyLossMinorUnits: Bool.random(using: &rng) ? 1_000 : nil))
            }
            let id = Int.random(in: 0..<10, using: &rng) == 0 && step > 0 ? "c\(step - 1)" : "c\(step)"
            let cmd = WalletCommand(id: id, player: alice, action: action, at: at(now))
            guard case .success(let events) = Wallet.decide(cmd, state: state) else { continue }
            for event in events {
                Wallet.apply(event, to: &state)
                switch event {
                case .deposited(_, _, let m, _, _): expected += m.minorUnits
                case .withdrawn(_, _, let m, _, _): expected -= m.minorUnits
                case .betSettled(_, _, _, let stake, let payout, _): expected += payout.minorUnits - stake.minorUnits
                default: break
                }
            }
            log += events
            #expect(Wallet.decide(cmd, state: state) == .success([]), "seed \(seed): repeat of \(cmd.id) changed something")
            #expect(state.available(eur).minorUnits >= 0, "seed \(seed): negative balance")
            #expect(state.available(eur).minorUnits + state.reserved(eur).minorUnits == expected, "seed \(seed): money not conserved at step \(step)")
        }
        #expect(Wallet.fold(log) == state, "seed \(seed): replay differs from live")
    }
}
