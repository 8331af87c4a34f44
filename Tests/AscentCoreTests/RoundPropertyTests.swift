import AscentCore
import Testing

typealias SeededGenerator = SplitMix64

@Suite struct RoundPropertyTests {
    static let seeds: [UInt64] = Array(1...60)

    /// Random command sequences over many rounds: repeats change nothing, replay equals live state,
    /// nothing is paid at or above the crash point, every stake ends in exactly one outcome.
    @Test(arguments: seeds) func randomRoundsKeepTheRules(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let players: [PlayerID] = ["p1", "p2", "p3", "p4", "p5"]
        var state = RoundState()
        var log: [RoundEvent] = []
        var now: Int64 = 0
        for roundNumber in Int64(1)...8 {
            let crashPoint = Multiplier(hundredths: [100, 101, 150, 250, 1_000, 3_456].randomElement(using: &rng)!)
            let secret = RoundSecret(seed: seed.description, crashPoint: crashPoint)
            var commands: [RoundCommand] = [.open(round: roundNumber, commitment: commitment, at: at(now))]
            var betIDs: [BetID] = []
            for _ in 0..<Int.random(in: 0...25, using: &rng) {
                now += Int64.random(in: 0...300, using: &rng)
                let id = betIDs.isEmpty || Bool.random(using: &rng) ? BetID("r\(roundNumber)-\(betIDs.count)") : betIDs.randomElement(using: &rng)!
                betIDs.append(id)
                let auto: Multiplier? = Bool.random(using: &rng) ? Multiplier(hundredths: Int64.random(in: 90...400, using: &rng)) : nil
                let stake = [5, 10, 100, 777, 100_000, 100_001, -3].randomElement(using: &rng)!
                commands.append(.placeBet(PlaceBet(betID: id, player: players.randomElement(using: &rng)!,
                                                   stake: euros(Int64(stake)), autoCashOut: auto, at: at(now))))
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    commands.append(.cancelBet(betID: betIDs.randomElement(using: &rng)!, player: players.randomElement(using: &rng)!, at: at(now)))
                }
            }
            now += 5_000
            commands.append(.takeOff(at: at(now)))
            let takeOff = now
            let crashAt = takeOff + config.curve.firstElapsedMilliseconds(reaching: crashPoint)
            let voidAt: Int64? = Int.random(in: 0..<10, using: &rng) == 0 ? Int64.random(in: takeOff...crashAt + 100, using: &rng) : nil
            while now < crashAt + 200 {
                now += Int64.random(in: 1...150, using: &rng)
                if let voidAt, now >= voidAt { commands.append(.void(reason: "test", at: at(now))); break }
                if !betIDs.isEmpty && Bool.random(using: &rng) {
                    commands.append(.cashOut(betID: betIDs.randomElement(using: &rng)!, player: players.randomElement(using: &rng)!, at: at(now)))
                }
                commands.append(now >= crashAt ? .crash(at: at(now)) : .tick(at: at(now)))
            }
            commands.append(.crash(at: at(now)))
            commands.append(.settle(at: at(now)))

            for command in commands {
                guard case .success(let events) = round.decide(command, state: state, secret: secret) else { continue }
                for event in events { round.apply(event, to: &state) }
                log += events
                let repeated = round.decide(command, state: state, secret: secret)
                #expect(repeated == .success([]), "seed \(seed): repeating \(command) gave \(repeated)")
                for event in events {
                    if case .cashedOut(_, _, _, let stake, let m, let payout, _, _) = event {
                        #expect(m < crashPoint, "seed \(seed): paid \(m) with crash point \(crashPoint)")
                        #expect(payout == round.payout(of: stake, at: m), "seed \(seed): payout rule")
                    }
                }
            }
            #expect(state.isFinished, "seed \(seed): round \(roundNumber) ended in \(state.phase)")
            checkEveryStakeHasOneOutcome(log.filter { $0.round == roundNumber }, seed: seed)
        }
        #expect(log.contains { if case .betPlaced = $0 { true } else { false } }, "seed \(seed): the generator placed no bet")
        #expect(round.fold(log) == state, "seed \(seed): replaying the log does not rebuild the live state")
    }

    private func checkEveryStakeHasOneOutcome(_ events: [RoundEvent], seed: UInt64) {
        var outcomes: [BetID: Int] = [:]
        var placedStake: Int64 = 0, endedStake: Int64 = 0, payouts: Int64 = 0
        for event in events {
            switch event {
            case .betPlaced(_, let id, _, let stake, _, _): outcomes[id] = 0; placedStake += stake.minorUnits
            case .betCancelled(_, let id, _, let stake, _): outcomes[id]! += 1; placedStake -= stake.minorUnits
            case .cashedOut(_, let id, _, let stake, _, let payout, _, _):
                outcomes[id]! += 1; endedStake += stake.minorUnits; payouts += payout.minorUnits
            case .betLost(_, let id, _, let stake), .betRefunded(_, let id, _, let stake):
                outcomes[id]! += 1; endedStake += stake.minorUnits
            case .roundSettled(_, _, let totalStake, let totalPayout, _):
                #expect(totalStake.minorUnits == placedStake && totalPayout.minorUnits == payouts, "seed \(seed): settlement totals")
            default: break
            }
        }
        #expect(outcomes.values.allSatisfy { $0 == 1 }, "seed \(seed): a bet without exactly one outcome: \(outcomes.filter { $0.value != 1 })")
        #expect(placedStake == endedStake, "seed \(seed): stakes not conserved")
    }
}
