import AscentCore
import Testing

@Suite struct OpeningAndBetting {
    @Test func opensTheFirstRoundWithItsCommitmentAndBettingWindow() {
        given([], when: .open(round: 1, commitment: commitment, at: at(0)), then: .success(opened))
    }

    @Test func refusesToOpenWhileARoundRunsOrOutOfSequence() {
        given(opened, when: .open(round: 2, commitment: commitment, at: at(1)), then: .failure(.roundInProgress(current: 1)))
        given(opened, when: .open(round: 1, commitment: String(repeating: "ef", count: 32), at: at(1)), then: .failure(.conflictingOpen))
        let settled = opened + tookOff + [.crashed(round: 1, crashPoint: x(100), seed: seed, at: at(10_000)),
                                          .roundSettled(round: 1, bets: 0, totalStake: euros(0), totalPayout: euros(0), at: at(10_001))]
        given(settled, when: .open(round: 3, commitment: commitment, at: at(20_000)), then: .failure(.unexpectedRoundNumber(expected: 2, got: 3)))
        given(settled, when: .open(round: 2, commitment: "nothex", at: at(20_000)), then: .failure(.malformedCommitment))
        given(settled, when: .open(round: 2, commitment: commitment, at: at(5)), then: .failure(.clockWentBackwards))
    }

    @Test func acceptsAFundedBet() {
        given(opened, when: place("b1", auto: x(200)), then: .success([placed("b1", auto: x(200))]))
    }

    @Test func rejectsBetsOutsideTheRules() {
        given([], when: place("b1"), then: .failure(.bettingClosed))
        given(opened, when: place("b1", at: 5_000), then: .failure(.bettingClosed))
        given(opened + tookOff, when: place("b1", at: 10_001), then: .failure(.bettingClosed))
        given(opened, when: place("b1", stake: 9), then: .failure(.stakeBelowMinimum(minimum: euros(10))))
        given(opened, when: place("b1", stake: 0), then: .failure(.stakeBelowMinimum(minimum: euros(10))))
        given(opened, when: place("b1", stake: -500), then: .failure(.stakeBelowMinimum(minimum: euros(10))))
        given(opened, when: place("b1", stake: 100_001), then: .failure(.stakeAboveMaximum(maximum: euros(100_000))))
        given(opened, when: place("b1", stake: .max), then: .failure(.stakeAboveMaximum(maximum: euros(100_000))))
        let usd = PlaceBet(betID: "b1", player: "alice", stake: Money(minorUnits: 100, currency: Currency(code: "USD")!), at: at(1_000))
        given(opened, when: .placeBet(usd), then: .failure(.wrongCurrency(expected: eur, got: Currency(code: "USD")!)))
        given(opened, when: place("b1", auto: x(100)), then: .failure(.autoCashOutOutOfRange(minimum: x(101), maximum: x(1_000_000))))
        given(opened, when: place("b1", auto: x(1_000_001)), then: .failure(.autoCashOutOutOfRange(minimum: x(101), maximum: x(1_000_000))))
        given(opened, when: place("b1", at: -1), then: .failure(.clockWentBackwards))
    }

    @Test func limitsBetsPerPlayerButCountsCancelledBetsOut() {
        let two = opened + [placed("b1"), placed("b2")]
        given(two, when: place("b3"), then: .failure(.tooManyBets(maximum: 2)))
        given(two, when: place("b3", "bob"), then: .success([placed("b3", "bob")]))
        let cancelled = two + [.betCancelled(round: 1, betID: "b1", player: "alice", stake: euros(100), at: at(1_500))]
        given(cancelled, when: place("b3", at: 2_000), then: .success([placed("b3", at: 2_000)]))
    }

    @Test func aRepeatedBetIsANoOpAndAReusedIdIsRejected() {
        let one = opened + [placed("b1", auto: x(200))]
        given(one, when: place("b1", auto: x(200), at: 1_200), then: .success([]))
        given(one, when: place("b1", auto: x(300)), then: .failure(.duplicateBetID))
        given(one, when: place("b1", stake: 101, auto: x(200)), then: .failure(.duplicateBetID))
        given(one, when: place("b1", "bob", auto: x(200)), then: .failure(.duplicateBetID))
        // A repeat after betting closed is still a repeat, not a late bet.
        given(one + tookOff, when: place("b1", auto: x(200), at: 10_500), then: .success([]))
    }

    @Test func cancelsOnlyOwnBetsWhileBettingIsOpen() {
        let one = opened + [placed("b1")]
        given(one, when: .cancelBet(betID: "b1", player: "alice", at: at(2_000)),
              then: .success([.betCancelled(round: 1, betID: "b1", player: "alice", stake: euros(100), at: at(2_000))]))
        given(one, when: .cancelBet(betID: "b1", player: "bob", at: at(2_000)), then: .failure(.betOfAnotherPlayer))
        given(one, when: .cancelBet(betID: "zz", player: "alice", at: at(2_000)), then: .failure(.unknownBet))
        given(one + tookOff, when: .cancelBet(betID: "b1", player: "alice", at: at(10_100)), then: .failure(.bettingClosed))
    }

    @Test func takeOffClosesBettingFirst() {
        given(opened, when: .takeOff(at: at(10_000)), then: .success(tookOff))
        given(opened + [.bettingClosed(round: 1, at: at(5_000))], when: .takeOff(at: at(10_000)),
              then: .success([.tookOff(round: 1, at: at(10_000))]))
        given(opened, when: .closeBetting(at: at(5_000)), then: .success([.bettingClosed(round: 1, at: at(5_000))]))
        given([], when: .takeOff(at: at(1)), then: .failure(.wrongPhase(.scheduled)))
    }
}

@Suite struct Flying {
    let flying = opened + [placed("b1"), placed("b2", "bob", stake: 1_000, auto: x(150))] + tookOff

    @Test func ticksPublishTheCurveAndFireAutoCashOutsAtTheirExactTarget() {
        let tickAt = instant(x(160))
        let expected: [RoundEvent] = [
            .cashedOut(round: 1, betID: "b2", player: "bob", stake: euros(1_000), multiplier: x(150), payout: euros(1_500),
                       reason: .auto, at: instant(x(150))),
            .ticked(round: 1, at: tickAt, multiplier: x(160)),
        ]
        given(flying, when: .tick(at: tickAt), then: .success(expected))
    }

    @Test func aManualCashOutPaysTheCurveAtTheAuthoritysInstant() {
        let when = instant(x(200)).advanced(byMilliseconds: 3)
        let m = GrowthCurve.standard.multiplier(atElapsedMilliseconds: when.milliseconds(since: at(10_000)))
        #expect(m == x(200))
        given(flying, when: .cashOut(betID: "b1", player: "alice", at: when), then: .success([
            .cashedOut(round: 1, betID: "b2", player: "bob", stake: euros(1_000), multiplier: x(150), payout: euros(1_500),
                       reason: .auto, at: instant(x(150))),
            .cashedOut(round: 1, betID: "b1", player: "alice", stake: euros(100), multiplier: x(200), payout: euros(200),
                       reason: .manual, at: when),
        ]))
    }

    @Test func cashOutRulesNameWhatFailed() {
        given(flying, when: .cashOut(betID: "b1", player: "bob", at: at(10_500)), then: .failure(.betOfAnotherPlayer))
        given(flying, when: .cashOut(betID: "nope", player: "alice", at: at(10_500)), then: .failure(.unknownBet))
        given(opened + [placed("b1")], when: .cashOut(betID: "b1", player: "alice", at: at(2_000)), then: .failure(.notFlying))
        // At the crash instant the curve shows the crash point: too late.
        given(flying, when: .cashOut(betID: "b1", player: "alice", at: instant(x(250))), then: .failure(.cashOutAfterCrash))
        given(flying, when: .cashOut(betID: "b1", player: "alice", at: instant(x(250)).advanced(byMilliseconds: -1)),
              then: .success([
                .cashedOut(round: 1, betID: "b2", player: "bob", stake: euros(1_000), multiplier: x(150), payout: euros(1_500),
                           reason: .auto, at: instant(x(150))),
                .cashedOut(round: 1, betID: "b1", player: "alice", stake: euros(100), multiplier: x(249), payout: euros(249),
                           reason: .manual, at: instant(x(250)).advanced(byMilliseconds: -1)),
              ]))
        let crashed = flying + [.crashed(round: 1, crashPoint: x(250), seed: seed, at: instant(x(250)))]
        given(crashed, when: .cashOut(betID: "b1", player: "alice", at: instant(x(300))), then: .failure(.cashOutAfterCrash))
        given(flying, when: .tick(at: instant(x(250))), then: .failure(.crashPointReached))
        given(flying, when: .tick(at: at(9_000)), then: .failure(.clockWentBackwards))
    }

    @Test func theCrashPaysAutosBelowItAndLosesTheRest() {
        let ride = opened + [placed("low", auto: x(249)), placed("at", "bob", auto: x(250)), placed("none", "carol")] + tookOff
        given(ride, when: .crash(at: instant(x(250)).advanced(byMilliseconds: 7)), then: .success([
            .cashedOut(round: 1, betID: "low", player: "alice", stake: euros(100), multiplier: x(249), payout: euros(249),
                       reason: .auto, at: instant(x(249))),
            .crashed(round: 1, crashPoint: x(250), seed: seed, at: instant(x(250))),
            .betLost(round: 1, betID: "at", player: "bob", stake: euros(100)),
            .betLost(round: 1, betID: "none", player: "carol", stake: euros(100)),
        ]))
        given(ride, when: .crash(at: instant(x(250)).advanced(byMilliseconds: -1)), then: .failure(.crashPointNotReached))
    }

    @Test func anInstantCrashPaysNobody() {
        let bust = RoundSecret(seed: seed, crashPoint: .one)
        let ride = opened + [placed("b1", auto: x(101))] + tookOff
        given(ride, when: .cashOut(betID: "b1", player: "alice", at: at(10_000)), then: .failure(.cashOutAfterCrash), secret: bust)
        given(ride, when: .crash(at: at(10_000)), then: .success([
            .crashed(round: 1, crashPoint: .one, seed: seed, at: at(10_000)),
            .betLost(round: 1, betID: "b1", player: "alice", stake: euros(100)),
        ]), secret: bust)
    }

    @Test func theMaximumWinForcesACashOutThatPaysExactlyTheCap() {
        // Stake 100,000 with a 1,000,000 cap: forced at 10.00x, paying exactly the cap.
        let big = opened + [placed("big", stake: 100_000), placed("small", "bob", stake: 333)] + tookOff
        let high = RoundSecret(seed: seed, crashPoint: x(5_000))
        given(big, when: .tick(at: instant(x(1_001))), then: .success([
            .cashedOut(round: 1, betID: "big", player: "alice", stake: euros(100_000), multiplier: x(1_000), payout: euros(1_000_000),
                       reason: .maximumWin, at: instant(x(1_000))),
            .ticked(round: 1, at: instant(x(1_001)), multiplier: x(1_001)),
        ]), secret: high)
        // 333 × 3003.01x = 1,000,002.33 ≥ cap: forced at 3003.01x (first hundredth reaching the cap), paid the cap.
        #expect(config.maximumWinTrigger(stakeMinorUnits: 333) == x(300_301))
    }

    @Test func equalTriggersGoInPlacementOrder() {
        let ride = opened + [placed("second", "bob", auto: x(200), at: 2_000), placed("first", auto: x(200), at: 1_000)] + tookOff
        let events = try! round.decide(.tick(at: instant(x(201))), state: round.fold(ride), secret: secret).get()
        #expect(events.prefix(2).map { if case .cashedOut(_, let id, _, _, _, _, _, _) = $0 { id.rawValue } else { "?" } } == ["second", "first"])
    }
}

@Suite struct EndingRounds {
    @Test func settleTotalsStakesAndPayouts() {
        let history = opened + [placed("b1", auto: x(200)), placed("b2", "bob", stake: 50)] + tookOff + [
            .cashedOut(round: 1, betID: "b1", player: "alice", stake: euros(100), multiplier: x(200), payout: euros(200),
                       reason: .auto, at: instant(x(200))),
            .crashed(round: 1, crashPoint: x(250), seed: seed, at: instant(x(250))),
            .betLost(round: 1, betID: "b2", player: "bob", stake: euros(50)),
        ]
        given(history, when: .settle(at: instant(x(300))), then: .success([
            .roundSettled(round: 1, bets: 2, totalStake: euros(150), totalPayout: euros(200), at: instant(x(300))),
        ]))
        given(opened, when: .settle(at: at(1)), then: .failure(.wrongPhase(.betting)))
    }

    @Test func voidRefundsBetsStillRidingAndKeepsCashOutsThatHappened() {
        let history = opened + [placed("b1"), placed("b2", "bob")] + tookOff + [
            .cashedOut(round: 1, betID: "b1", player: "alice", stake: euros(100), multiplier: x(120), payout: euros(120),
                       reason: .manual, at: instant(x(120))),
        ]
        given(history, when: .void(reason: "authority restarted", at: instant(x(130))), then: .success([
            .roundVoided(round: 1, reason: "authority restarted", at: instant(x(130))),
            .betRefunded(round: 1, betID: "b2", player: "bob", stake: euros(100)),
        ]))
        let crashed = history + [.crashed(round: 1, crashPoint: x(250), seed: seed, at: instant(x(250)))]
        given(crashed, when: .void(reason: "late", at: instant(x(260))), then: .failure(.wrongPhase(.crashed)))
    }
}
