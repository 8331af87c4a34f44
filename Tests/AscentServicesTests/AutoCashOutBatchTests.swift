import AscentAudit
import AscentCore
import AscentLog
import AscentServices
import Foundation
import Testing

/// Many players with one auto target: the authority writes their cash-outs as cashedOutBatch
/// records, settlement and the wallet settle them in settleBatch and betSettledBatch records, and
/// the projector pays every bet exactly once, to the minor unit.
@Suite(.serialized) struct AutoCashOutBatchTests {
    @Test func cashOutsAtOneTargetShareRecordsAndAreEachPaidOnce() async throws {
        guard let stack = try await StackHarness.make("batch") else { return }
        let running = stack.start()
        defer { running.cancel() }
        let players = (0..<6).map { PlayerID("auto-\($0)") }
        let target = Multiplier(hundredths: 101)
        try await stack.fund(players, minorUnits: 10_000)
        let consumer = try await stack.log.makeConsumer(.positions([try await stack.tablePartition(): 0]))
        var events: [RoundEvent] = []
        var batchRecords = 0
        var betOn: Set<Int64> = []
        var wonRound: Int64?
        let deadline = Date().addingTimeInterval(120)
        // Bet on rounds until one that crashes above the target is settled: there all six win together.
        while wonRound == nil && Date() < deadline {
            for record in try await consumer.poll(maxRecords: 500, timeoutMilliseconds: 200).records {
                let decoded = try RoundEvent.decodeRecord(json: record.value).events
                if record.header(Records.Header.type) == RoundEvent.batchTypeName {
                    batchRecords += 1
                    #expect(decoded.count > 1, "a batch record holds several cash-outs")
                }
                for event in decoded {
                    if case .roundOpened(let round, _, _, _) = event, wonRound == nil {
                        betOn.insert(round)
                        try await stack.send(players.map {
                            stack.reserve($0, round: round, bet: BetID("\($0)-\(round)"), stakeMinor: 100, auto: target)
                        })
                    }
                    guard betOn.contains(event.round) else { continue }
                    events.append(event)
                    if case .roundSettled(let round, _, _, _, _) = event, stack.crashPoint(round: Int(round)) > target,
                       events.contains(where: { if case .betPlaced(round, _, _, _, _, _) = $0 { true } else { false } }) {
                        wonRound = round
                    }
                }
            }
        }
        try await consumer.close()
        guard let wonRound else {
            Issue.record("no round with bets crashed above \(target) within 120 s")
            return
        }
        let won = events.compactMap { event -> (BetID, Money)? in
            guard case .cashedOut(wonRound, let id, _, _, let multiplier, let payout, .auto, _) = event, multiplier == target else { return nil }
            return (id, payout)
        }
        #expect(won.count == players.count, "every bet of round \(wonRound) cashed out at its target")
        #expect(won.allSatisfy { $0.1.minorUnits == 101 }, "floor(100 × 1.01) each")
        #expect(batchRecords >= 1, "the six cash-outs of one instant share a cashedOutBatch record")

        // Every player's balance, from the events: 10,000 − stakes placed + payouts, once each.
        var expected = Dictionary(uniqueKeysWithValues: players.map { ($0.rawValue, Int64(10_000)) })
        let settledRounds = Set(events.compactMap { if case .roundSettled(let round, _, _, _, _) = $0 { round } else { nil } })
        for event in events where settledRounds.contains(event.round) {
            if case .betPlaced(_, _, let player, let stake, _, _) = event { expected[player.rawValue]! -= stake.minorUnits }
            if case .cashedOut(_, _, let player, _, _, let payout, _, _) = event { expected[player.rawValue]! += payout.minorUnits }
        }
        let roundsList = settledRounds.map(String.init).joined(separator: ",")
        _ = try await stack.eventually("the won round's bets projected as cashed out",
            "select count(*)::text from bets where round = \(wonRound) and status = 'cashed_out' and payout_minor = 101",
            { $0.first?.first == String(players.count) })
        _ = try await stack.eventually("every bet of the settled rounds settled",
            "select count(*)::text from bets where round in (\(roundsList)) and status = 'placed'", { $0.first?.first == "0" })
        _ = try await stack.eventually("no stake held", "select coalesce(sum(reserved_minor), 0)::text from balances", { $0.first?.first == "0" })
        for row in try await stack.rows("select player_id, available_minor::text from balances") {
            #expect(Int64(row[1]!) == expected[row[0]!], "\(row[0]!)'s balance: paid exactly once")
        }
        let conservation = try await stack.rows("select imbalance_minor::text from money_conservation")
        #expect(conservation.first?[0] == "0", "the ledger balances")
        running.cancel()
        _ = try? await running.value

        // The audit rebuilds every round from the log, batch records included, and finds nothing wrong.
        var auditor = Auditor(configuration: AuditConfiguration(roundTopic: stack.topics.roundEvents, walletTopic: stack.topics.walletEvents,
                                                                defaultRules: AuditRules(config: stack.table, salt: stack.salt)))
        var walletBatches = 0
        for topic in [stack.topics.roundEvents, stack.topics.walletEvents] {
            for number in 0..<(try await stack.log.partitionCount(of: topic)) {
                try await stack.log.readToEnd(TopicPartition(topic: topic, partition: number)) { records in
                    for record in records {
                        if record.header(Records.Header.type) == WalletEvent.batchTypeName { walletBatches += 1 }
                        auditor.consume(record)
                    }
                }
            }
        }
        // Six players over four wallet partitions: at least two share one, and settle in one record.
        #expect(walletBatches >= 1, "bets settled together share a betSettledBatch record")
        let report = auditor.finish()
        #expect(report.findings.isEmpty, "audit findings: \(report.findings.prefix(5))")
        #expect(report.summary.betsCashedOut >= players.count, "the audit counted the batch's cash-outs")
        try await stack.log.shutdown()
        try await stack.drop()
    }

    /// With ticks rarer than the flights, nothing but the authority's own clock can write an auto
    /// cash-out before the crash: it wakes at the trigger's instant and ticks there, so the
    /// cash-outs reach the log then, not at the next tick, the next request or the crash.
    @Test func autoCashOutsAreWrittenWhenTheCurveReachesThem() async throws {
        // Every test round crashes below 12x, 4.2 s into the flight at this curve: a 10 s tick never comes.
        guard let stack = try await StackHarness.make("trigger", tickMilliseconds: 10_000) else { return }
        let running = stack.start()
        defer { running.cancel() }
        let players = (0..<3).map { PlayerID("early-\($0)") }
        let target = Multiplier(hundredths: 101)
        try await stack.fund(players, minorUnits: 10_000)
        let consumer = try await stack.log.makeConsumer(.positions([try await stack.tablePartition(): 0]))
        var flight: [RoundEvent] = []
        var checked: Int64?
        let deadline = Date().addingTimeInterval(120)
        while checked == nil && Date() < deadline {
            for record in try await consumer.poll(maxRecords: 500, timeoutMilliseconds: 200).records {
                for event in try RoundEvent.decodeRecord(json: record.value).events {
                    switch event {
                    case .roundOpened(let round, _, _, _):
                        flight = []
                        try await stack.send(players.map {
                            stack.reserve($0, round: round, bet: BetID("\($0)-\(round)"), stakeMinor: 100, auto: target)
                        })
                    case .crashed(let round, let crashPoint, _, _):
                        let won = flight.filter { if case .cashedOut(round, _, _, _, target, _, .auto, _) = $0 { true } else { false } }
                        // A round where all three bets rode and the curve went on well past their target
                        // (2x is over a second later), so even a wake-up delayed by a loaded machine
                        // comes before the crash.
                        if crashPoint >= Multiplier(hundredths: 200) && won.count == players.count { checked = round }
                    default:
                        flight.append(event)
                    }
                    if checked != nil { break }
                }
                if checked != nil { break }
            }
        }
        try await consumer.close()
        guard checked != nil else {
            Issue.record("no round with the three bets crashed at 2x or above within 120 s")
            return
        }
        // In the flight's events, before the crash: the three cash-outs, then the tick at their instant.
        guard let last = flight.lastIndex(where: { if case .cashedOut = $0 { true } else { false } }) else { return }
        guard case .cashedOut(_, _, _, _, _, _, _, let instant) = flight[last] else { return }
        let tick = flight[(last + 1)...].first { if case .ticked = $0 { true } else { false } }
        guard case .ticked(_, let tickAt, let multiplier)? = tick else {
            Issue.record("the auto cash-outs were not written by a tick at their instant: \(flight.map(\.typeName))")
            return
        }
        #expect(tickAt >= instant && multiplier >= target, "the tick that wrote them is at or after their instant")
        running.cancel()
        _ = try? await running.value
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
