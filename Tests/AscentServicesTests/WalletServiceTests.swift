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
                        for record in records { deposits.append(try WalletEvent.decode(json: record.value).commandID) }
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
                    for record in records { events.append(try WalletEvent.decode(json: record.value)) }
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
}
