import AscentCore
import AscentLog
import AscentProjector
import AscentServices
import Foundation
import Testing

@Suite(.serialized) struct WalletServiceTests {
    /// The development faucet is off unless configured and never pays more than its size; operator
    /// deposits are unaffected.
    @Test func theFaucetIsOffUnlessConfigured() async throws {
        for faucet in [nil, Int64(1_000)] {
            guard let stack = try await StackHarness.make("faucet") else { return }
            nonisolated(unsafe) let wallet = WalletService(log: stack.log, topics: stack.topics, faucetMinorUnits: faucet)
            let running = Task { try await wallet.run() }
            let eur = stack.table.currency
            func deposit(_ id: String, _ amount: Int64, _ reference: String) -> WalletCommand {
                WalletCommand(id: id, player: "pat", action: .deposit(Money(minorUnits: amount, currency: eur), reference: reference),
                              at: Timestamp(milliseconds: 0))
            }
            try await stack.send([deposit("f1", 500, WalletService.faucetReference), deposit("f2", 2_000, WalletService.faucetReference),
                                  deposit("o1", 7, "operator")])
            var deposits: [String] = []
            let deadline = Date().addingTimeInterval(30)
            while !deposits.contains("o1") && Date() < deadline {
                deposits = []
                for partition in 0..<Int32(4) {
                    try await stack.log.readToEnd(TopicPartition(topic: stack.topics.walletEvents, partition: partition)) { records in
                        for record in records { deposits += try WalletEvent.decodeRecord(json: record.value).map(\.commandID) }
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(deposits == (faucet == nil ? ["o1"] : ["f1", "o1"]), "faucet \(String(describing: faucet)): \(deposits)")
            running.cancel()
            _ = try? await running.value
            try await stack.log.shutdown()
            try await stack.drop()
        }
    }

    /// Each stake reservation reaches its table's authority as a copy on `funded-bets`. A replayed
    /// reservation (the wallet died between its two records) sends the copy again while the stake
    /// is held; once the stake is released a replay sends nothing, and money moves once throughout.
    @Test func aReplayedReservationIsSentToItsTableAgainWhileTheStakeIsHeld() async throws {
        guard let stack = try await StackHarness.make("funded") else { return }
        nonisolated(unsafe) let wallet = WalletService(log: stack.log, topics: stack.topics)
        let running = Task { try await wallet.run() }
        let eur = stack.table.currency
        let bet = BetReference(table: stack.table.table, round: 1, betID: "b1")
        let reserve = WalletCommand(id: "r1", player: "pat", action: .reserveStake(bet, Money(minorUnits: 100, currency: eur), autoCashOut: nil),
                                    at: Timestamp(milliseconds: 0))
        let release = WalletCommand(id: "x1", player: "pat", action: .releaseStake(bet, reason: .rejected), at: Timestamp(milliseconds: 0))
        func read(_ topic: String) async throws -> [WalletEvent] {
            var events: [WalletEvent] = []
            for partition in 0..<Int32(4) {
                try await stack.log.readToEnd(TopicPartition(topic: topic, partition: partition)) { records in
                    for record in records { events += try WalletEvent.decodeRecord(json: record.value) }
                }
            }
            return events
        }
        /// Waits until the wallet has applied `commandID` (its event is on wallet-events).
        func applied(_ commandID: String) async throws {
            let deadline = Date().addingTimeInterval(30)
            while try await !read(stack.topics.walletEvents).contains(where: { $0.commandID == commandID }) {
                guard Date() < deadline else { Issue.record("the wallet did not apply \(commandID)"); return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try await stack.send([WalletCommand(id: "d1", player: "pat", action: .deposit(Money(minorUnits: 1_000, currency: eur), reference: "op"),
                                            at: Timestamp(milliseconds: 0)), reserve])
        try await applied("r1")
        // The replay, then a deposit as a marker: once the marker is applied, the replay was handled.
        try await stack.send([reserve, WalletCommand(id: "d2", player: "pat", action: .deposit(Money(minorUnits: 1, currency: eur), reference: "op"),
                                                     at: Timestamp(milliseconds: 0))])
        try await applied("d2")
        var funded = try await read(stack.topics.fundedBets)
        #expect(funded.map(\.commandID) == ["r1", "r1"], "the copy is sent again while the stake is held")
        try await stack.send([release, reserve, WalletCommand(id: "d3", player: "pat", action: .deposit(Money(minorUnits: 1, currency: eur), reference: "op"),
                                                              at: Timestamp(milliseconds: 0))])
        try await applied("d3")
        funded = try await read(stack.topics.fundedBets)
        #expect(funded.count == 2, "no copy once the stake is released")
        let events = try await read(stack.topics.walletEvents)
        #expect(events.filter { $0.commandID == "r1" }.count == 1, "the stake was reserved once")
        running.cancel()
        _ = try? await running.value
        try await stack.log.shutdown()
        try await stack.drop()
    }
}

extension WalletServiceTests {
    /// Settlement sends a wallet partition's settlements of one round as a `settleBatch` record. The
    /// wallet applies each entry once, writes them as a `betSettledBatch`, refuses an entry whose
    /// player lives on another partition (it is not that partition's writer) without losing the
    /// others, and treats a resent batch, before or after a restart, as the repeat it is.
    @Test func aSettlementBatchIsAppliedOnceEachAndOnlyForItsOwnPartition() async throws {
        guard let stack = try await StackHarness.make("settlebatch") else { return }
        let eur = stack.table.currency
        let partitions = try await stack.log.partitionCount(of: stack.topics.walletCommands)
        func partition(_ player: PlayerID) -> Int32 { KafkaPartitioner.partition(forKey: Array(player.rawValue.utf8), partitionCount: partitions) }
        let candidates = (0..<64).map { PlayerID("s-\($0)") }
        let home = partition(candidates[0])
        let locals = Array(candidates.filter { partition($0) == home }.prefix(3))
        let stranger = candidates.first { partition($0) != home }!
        #expect(locals.count == 3)
        let players = locals + [stranger]
        func bet(_ index: Int) -> BetReference { BetReference(table: stack.table.table, round: 1, betID: BetID("b\(index)")) }
        let payouts: [Int64] = [250, 0, 130, 500]
        let settlements = players.enumerated().map { index, player in
            WalletCommand(id: Settlement.settleID(bet(index)), player: player,
                          action: .settleBet(bet(index), payout: Money(minorUnits: payouts[index], currency: eur)), at: Timestamp(milliseconds: 5))
        }
        #expect(WalletCommand.recordGroups(settlements).map(\.count) == [4], "one round, one instant: one record")
        // A batch put together wrongly: the stranger's entry rides on the locals' partition.
        let batch = OutgoingRecord(topic: stack.topics.walletCommands, key: Array(locals[0].rawValue.utf8),
                                   value: WalletCommand.json(group: settlements[...]), partition: home)
        func marker(_ id: String) -> WalletCommand {
            WalletCommand(id: id, player: locals[0], action: .deposit(Money(minorUnits: 1, currency: eur), reference: "op"), at: Timestamp(milliseconds: 0))
        }
        func read() async throws -> (events: [WalletEvent], types: [String]) {
            var events: [WalletEvent] = [], types: [String] = []
            for number in 0..<partitions {
                try await stack.log.readToEnd(TopicPartition(topic: stack.topics.walletEvents, partition: number)) { records in
                    for record in records {
                        types.append(record.header(Records.Header.type) ?? "")
                        events += try WalletEvent.decodeRecord(json: record.value)
                    }
                }
            }
            return (events, types)
        }
        func waitFor(_ commandID: String) async throws {
            let deadline = Date().addingTimeInterval(30)
            while try await !read().events.contains(where: { $0.commandID == commandID }) {
                guard Date() < deadline else { Issue.record("the wallet did not apply \(commandID)"); return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        func startWallet() -> Task<Void, Error> {
            nonisolated(unsafe) let wallet = WalletService(log: stack.log, topics: stack.topics)
            return Task { try await wallet.run() }
        }

        var running = startWallet()
        try await stack.fund(players, minorUnits: 1_000)
        try await stack.send(players.enumerated().map { index, player in
            WalletCommand(id: "reserve-\(index)", player: player, action: .reserveStake(bet(index), Money(minorUnits: 100, currency: eur), autoCashOut: nil),
                          at: Timestamp(milliseconds: 0))
        })
        // And a deposit for the stranger sent to the locals' partition: it would open a second wallet there.
        let misplaced = WalletCommand(id: "misplaced", player: stranger, action: .deposit(Money(minorUnits: 50, currency: eur), reference: "op"),
                                      at: Timestamp(milliseconds: 0))
        var misplacedRecord = Records.make(misplaced, topics: stack.topics)
        misplacedRecord.partition = home
        _ = try await stack.log.append([batch, misplacedRecord])
        try await stack.send([marker("m1")])
        try await waitFor("m1")
        var (events, types) = try await read()
        let settled = events.compactMap { event -> (PlayerID, Int64)? in
            guard case .betSettled(_, let player, _, _, let payout, _) = event else { return nil }
            return (player, payout.minorUnits)
        }
        #expect(settled.map(\.0) == locals && settled.map(\.1) == Array(payouts.prefix(3)), "the three local entries, in order: \(settled)")
        #expect(types.filter { $0 == WalletEvent.batchTypeName }.count == 1, "written as one betSettledBatch: \(types)")
        #expect(!events.contains { $0.commandID == misplaced.id }, "a command on another player's partition is refused")

        // The same batch again, before and after a restart: repeats, nothing moves twice.
        _ = try await stack.log.append([batch])
        try await stack.send([marker("m2")])
        try await waitFor("m2")
        running.cancel()
        _ = try? await running.value
        running = startWallet()
        _ = try await stack.log.append([batch])
        // The stranger's own settlement, sent as settlement sends it, is applied on its partition.
        _ = try await stack.log.append(Records.make([settlements[3]], topics: stack.topics, partition: partition(stranger)))
        try await stack.send([marker("m3")])
        try await waitFor("m3")
        try await waitFor(settlements[3].id)
        (events, types) = try await read()
        let counts = Dictionary(grouping: events.filter { if case .betSettled = $0 { true } else { false } }, by: \.commandID).mapValues(\.count)
        #expect(counts == Dictionary(uniqueKeysWithValues: settlements.map { ($0.id, 1) }), "each bet settled exactly once: \(counts)")
        for (index, player) in players.enumerated() {
            let state = Wallet.fold(events.filter { $0.player == player })
            #expect(state.available(eur).minorUnits == 1_000 - 100 + payouts[index] + (index == 0 ? 3 : 0), "\(player)'s balance")
            #expect(state.reservations.isEmpty, "\(player)'s stake is spent")
        }
        running.cancel()
        _ = try? await running.value
        try await stack.log.shutdown()
        try await stack.drop()
    }
}

@Suite(.serialized) struct ProjectorPositionTests {

    /// A database shared by deployments with other topic prefixes: the projector reads only its own
    /// topics' stored positions (another prefix's round topic must not be read as wallet events).
    @Test func positionsOfOtherTopicPrefixesAreLeftAlone() async throws {
        guard let stack = try await StackHarness.make("positions") else { return }
        let other = LogTopics(prefix: "other.")
        try await other.create(on: stack.log, partitions: 1)
        _ = try await stack.log.append([Records.make(RoundEvent.tookOff(round: 1, at: Timestamp(milliseconds: 1)), table: "x", topics: other)])
        _ = try await stack.rows("insert into projector_positions values ('main', 'other.round-events', 0, 0) returning 1")
        let projector = Projector(log: stack.log, databaseURL: stack.url, topics: stack.topics)
        try await projector.catchUp()
        let positions = try await projector.storedPositions()
        #expect(positions[TopicPartition(topic: "other.round-events", partition: 0)] == 0, "another deployment's position is untouched")
        try await stack.log.shutdown()
        try await stack.drop()
    }

    /// The players table across batches and restarts: first seen at the first event, limits and
    /// self-exclusion applied whenever they come, however often the player is seen again in between
    /// (a player seen again writes nothing once known), and a new projector on the same rows agrees.
    @Test func playersKeepTheirFirstSightingLimitsAndExclusionAcrossBatches() async throws {
        guard let stack = try await StackHarness.make("players") else { return }
        let eur = Currency(code: "EUR")!
        let partitions = try await stack.log.partitionCount(of: stack.topics.walletEvents)
        func append(_ events: [WalletEvent]) async throws {
            _ = try await stack.log.append(events.map { event in
                Records.make(event, topics: stack.topics,
                             partition: KafkaPartitioner.partition(forKey: Array(event.player.rawValue.utf8), partitionCount: partitions))
            })
        }
        func at(_ seconds: Int64) -> Timestamp { Timestamp(milliseconds: 1_764_806_400_000 + seconds * 1_000) }
        func reserve(_ player: PlayerID, _ bet: String, _ seconds: Int64) -> WalletEvent {
            .stakeReserved(commandID: "reserve:\(bet)", player: player, bet: BetReference(table: "main", round: 1, betID: BetID(bet)),
                           amount: Money(minorUnits: 10, currency: eur), autoCashOut: nil, at: at(seconds))
        }
        let (ann, bob): (PlayerID, PlayerID) = ("ann", "bob")
        let query = """
            select player_id, (extract(epoch from first_seen_at) * 1000)::bigint::text, daily_stake_limit_minor::text,
                   daily_loss_limit_minor::text, (extract(epoch from limits_effective_at) * 1000)::bigint::text,
                   (extract(epoch from self_excluded_until) * 1000)::bigint::text
            from players order by player_id
            """
        let projector = Projector(log: stack.log, databaseURL: stack.url, topics: stack.topics)
        try await append([.deposited(commandID: "d1", player: ann, amount: Money(minorUnits: 1_000, currency: eur), reference: "t", at: at(1))])
        try await projector.catchUp()
        try await append([reserve(ann, "b1", 2),
                          .deposited(commandID: "d2", player: bob, amount: Money(minorUnits: 1_000, currency: eur), reference: "t", at: at(3)),
                          reserve(bob, "b2", 3),
                          .limitsSet(commandID: "l1", player: ann, limits: GamingLimits(dailyStakeMinorUnits: 500, dailyLossMinorUnits: 200),
                                     effectiveAt: at(4), at: at(4)),
                          reserve(ann, "b3", 5)])
        try await projector.catchUp()
        try await append([reserve(ann, "b4", 6), reserve(bob, "b5", 7)])
        try await projector.catchUp()
        try await append([reserve(ann, "b6", 8), .selfExcluded(commandID: "x1", player: ann, until: at(86_400), at: at(9)), reserve(bob, "b7", 10)])
        try await projector.catchUp()
        let ms = { (seconds: Int64) in String(at(seconds).milliseconds) }
        let expected: [[String?]] = [["ann", ms(1), "500", "200", ms(4), ms(86_400)], ["bob", ms(3), nil, nil, nil, nil]]
        #expect(try await stack.rows(query) == expected)
        // A fresh projector (a restart) knows no players yet, and rewrites none of them wrongly.
        try await append([reserve(ann, "b8", 11), reserve(bob, "b9", 12)])
        try await Projector(log: stack.log, databaseURL: stack.url, topics: stack.topics).catchUp()
        #expect(try await stack.rows(query) == expected)
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
