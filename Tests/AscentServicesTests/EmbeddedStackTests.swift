import AscentCore
import AscentLog
import AscentServices
import Foundation
import Testing

/// Real rounds through the wallet, the authority, settlement and the projector on the PostgreSQL
/// log, with scripted players covering the rules; PostgreSQL checked to the minor unit.
@Suite(.serialized) struct EmbeddedStackTests {
    @Test func roundsAreBetCashedOutCrashedSettledAndProjected() async throws {
        guard let stack = try await StackHarness.make("stack") else { return }
        let running = stack.start()
        defer { running.cancel() }
        try await Self.playScriptedRounds(on: stack)
        running.cancel()
        _ = try? await running.value
        try await stack.log.shutdown()
        try await stack.drop()
    }

    /// Three rounds with scripted players covering the rules, then every check against the events
    /// and against PostgreSQL. The stack's parts must be running (in-process or as processes).
    static func playScriptedRounds(on stack: StackHarness) async throws {
        let eur = stack.table.currency
        func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: eur) }
        func reserve(_ player: String, round: Int64, bet: String, stake: Int64, auto: Int64? = nil) -> WalletCommand {
            stack.reserve(PlayerID(player), round: round, bet: BetID(bet), stakeMinor: stake, auto: auto.map(Multiplier.init(hundredths:)))
        }
        try await stack.send([
            WalletCommand(id: "d-alice", player: "alice", action: .deposit(money(10_000), reference: "op"), at: Timestamp(milliseconds: 0)),
            WalletCommand(id: "d-bob", player: "bob", action: .deposit(money(1_000), reference: "op"), at: Timestamp(milliseconds: 0)),
            WalletCommand(id: "d-dave", player: "dave", action: .deposit(money(2_000_000), reference: "op"), at: Timestamp(milliseconds: 0)),
            // A repeated deposit (same id, same content) is a no-op.
            WalletCommand(id: "d-alice", player: "alice", action: .deposit(money(10_000), reference: "op"), at: Timestamp(milliseconds: 0)),
        ])

        // Play only rounds that open once the wallet is serving (the deposits are in its events):
        // on a loaded machine its group may still be joining during the first round.
        var deposits = 0
        let walletDeadline = Date().addingTimeInterval(60)
        while deposits < 3 && Date() < walletDeadline {
            deposits = 0
            for walletPartition in 0..<(try await stack.log.partitionCount(of: stack.topics.walletEvents)) {
                try await stack.log.readToEnd(TopicPartition(topic: stack.topics.walletEvents, partition: walletPartition)) { records in
                    deposits += records.filter { $0.header(Records.Header.type) == "deposited" }.count
                }
            }
            if deposits < 3 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(deposits == 3, "the wallet applies the three deposits (the repeated one is a no-op)")
        let walletReadyAt = SystemClock().now()

        // Follow the table's events and play three rounds.
        let partition = try await stack.tablePartition()
        let consumer = try await stack.log.makeConsumer(.positions([partition: 0]))
        var events: [RoundEvent] = []
        var manualSent: Set<Int64> = []
        var settledRounds = 0
        var played: Set<Int64> = []
        let deadline = Date().addingTimeInterval(120)
        while settledRounds < 3 && Date() < deadline {
            for record in try await consumer.poll(maxRecords: 500, timeoutMilliseconds: 200).records {
                // Once three rounds are settled, play no more: a fourth round opening in the same
                // batch must not get bets the checks below do not count.
                guard settledRounds < 3 else { break }
                for event in try RoundEvent.decodeRecord(json: record.value).events {
                    if case .roundOpened(let round, _, let at, _) = event, at >= walletReadyAt { played.insert(round) }
                    guard played.contains(event.round) else { continue }
                    events.append(event)
                    switch event {
                    case .roundOpened(let round, _, _, _):
                        try await stack.send([
                            reserve("alice", round: round, bet: "a\(round)-auto", stake: 1_000, auto: 110),
                            reserve("alice", round: round, bet: "a\(round)-auto", stake: 1_000, auto: 110),   // duplicate command
                            reserve("alice", round: round, bet: "a\(round)-hand", stake: 500),
                            reserve("alice", round: round, bet: "a\(round)-third", stake: 10),                 // over the per-player limit
                            reserve("bob", round: round, bet: "b\(round)", stake: 200),
                            reserve("carol", round: round, bet: "c\(round)", stake: 100),                      // no funds
                            reserve("dave", round: round, bet: "d\(round)", stake: 999_999),                   // above the table maximum
                        ])
                    case .ticked(let round, _, let multiplier) where multiplier >= Multiplier(hundredths: 130) && !manualSent.contains(round):
                        manualSent.insert(round)
                        try await stack.send(.cashOut(betID: BetID("a\(round)-hand"), player: "alice", at: Timestamp(milliseconds: 0)))
                    case .crashed(let round, _, _, _):
                        // Too late: the authority's clock has passed the crash.
                        try await stack.send(.cashOut(betID: BetID("b\(round)"), player: "bob", at: Timestamp(milliseconds: 0)))
                    case .roundSettled:
                        settledRounds += 1
                    default:
                        break
                    }
                }
            }
        }
        try await consumer.close()
        #expect(settledRounds >= 3, "three rounds should settle within 120 s")

        // What the rules say, from the events.
        var expectedBalance: [String: Int64] = ["alice": 10_000, "bob": 1_000, "dave": 2_000_000]
        var stake: Int64 = 0, payout: Int64 = 0
        let settled = Set(events.compactMap { if case .roundSettled(let r, _, _, _, _) = $0 { r } else { nil } })
        for event in events where settled.contains(event.round) {
            switch event {
            case .betPlaced(_, _, let player, let amount, _, _):
                expectedBalance[player.rawValue, default: 0] -= amount.minorUnits
                stake += amount.minorUnits
            case .cashedOut(let round, let id, let player, let amount, let m, let paid, let reason, _):
                #expect(m < stack.crashPoint(round: Int(round)), "paid at or above the crash point")
                #expect(paid == (try! amount.multiplied(by: m)), "payout is floor(stake × m)")
                if reason == .auto { #expect(m == Multiplier(hundredths: 110), "auto pays exactly its target") }
                #expect(id.rawValue.hasPrefix("a"), "only alice's bets can win")
                expectedBalance[player.rawValue, default: 0] += paid.minorUnits
                payout += paid.minorUnits
            case .betRejected(_, let id, _, _, let reason, _):
                if id.rawValue.hasSuffix("third") { #expect(reason == "tooManyBets") }
                if id.rawValue.hasPrefix("d") { #expect(reason == "stakeAboveMaximum") }
            default:
                break
            }
        }
        for round in settled {
            let placed = events.filter { if case .betPlaced(round, _, _, _, _, _) = $0 { true } else { false } }.count
            #expect(placed == 3, "round \(round): alice's two bets and bob's; got \(placed)")
            let crash = stack.crashPoint(round: Int(round))
            let autoWon = events.contains { if case .cashedOut(round, BetID("a\(round)-auto"), _, _, _, _, .auto, _) = $0 { true } else { false } }
            #expect(autoWon == (crash > Multiplier(hundredths: 110)), "round \(round) crashed at \(crash): auto 1.10x must win iff below it")
            #expect(events.contains { if case .betLost(round, BetID("b\(round)"), _, _) = $0 { true } else { false } }, "bob's late cash-out loses")
        }

        // PostgreSQL agrees to the minor unit once the projector has caught up.
        let roundsList = settled.map(String.init).joined(separator: ",")
        _ = try await stack.eventually("every bet of the settled rounds projected and settled in the wallet",
            "select count(*)::text from bets where round in (\(roundsList)) and status = 'placed'", { $0.first?.first == "0" })
        _ = try await stack.eventually("no stake held", "select coalesce(sum(reserved_minor), 0)::text from balances where player_id <> 'carol'",
                                       { rows in rows.first?.first == "0" })
        let balances = try await stack.rows("select player_id, available_minor::text from balances order by player_id")
        for row in balances {
            let player = row[0]!
            #expect(Int64(row[1]!) == expectedBalance[player], "\(player)'s balance")
        }
        #expect(!balances.contains { $0[0] == "carol" }, "carol never had money")
        let finance = try await stack.rows("select sum(stake_minor)::text, sum(payout_minor)::text, sum(ggr_minor)::text from finance_daily")
        #expect(finance.first == [String(stake), String(payout), String(stake - payout)], "finance_daily: stake, payout, GGR")
        let conservation = try await stack.rows("select net_deposits_minor::text, player_money_minor::text, house_result_minor::text, imbalance_minor::text from money_conservation")
        #expect(conservation.first?[3] == "0", "the ledger balances")
        #expect(conservation.first?[0] == "2011000", "deposits counted once")
        #expect(Int64(conservation.first?[2] ?? "") == stake - payout, "the house result is the GGR")
        let rounds = try await stack.rows("select round::text, phase, crash_point_hundredths::text from rounds where round in (\(roundsList)) order by round")
        for row in rounds {
            #expect(row[1] == "settled")
            #expect(Int64(row[2]!) == stack.crashPoint(round: Int(row[0]!)!).hundredths)
        }
    }
}
