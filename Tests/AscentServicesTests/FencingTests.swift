import AscentCore
import AscentLog
import AscentProjector
import AscentServices
import Foundation
import Testing

/// Two authorities for one table: the second claims it with a higher epoch, the first stops, and
/// nothing the first writes after the claim counts for settlement or the projections.
@Suite(.serialized) struct FencingTests {
    @Test func aSecondAuthorityFencesTheFirst() async throws {
        guard let stack = try await StackHarness.make("fence") else { return }
        let configuration = AuthorityConfiguration(table: stack.table, chain: stack.chain, salt: stack.salt,
                                                   intermissionMilliseconds: 300, topics: stack.topics)
        nonisolated(unsafe) let first = RoundAuthority(configuration: configuration, log: stack.log)
        nonisolated(unsafe) let settlement = SettlementService(log: stack.log, topics: stack.topics)
        nonisolated(unsafe) let projector = Projector(log: stack.log, databaseURL: stack.url, topics: stack.topics)
        let firstRun = Task { try await first.run() }
        let readers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await settlement.run() }
                group.addTask { try await projector.run() }
                try await group.next()
            }
        }
        defer { readers.cancel(); firstRun.cancel() }
        let partition = try await stack.tablePartition()
        // Wait for the first authority to claim the table and open a round.
        var claims: [(epoch: Int64, writer: String)] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            claims = []
            var opened = false
            try await stack.log.readToEnd(partition) { records in
                for record in records {
                    for event in try RoundEvent.decodeRecord(json: record.value).events {
                        if case .authorityClaimed(_, let epoch, let writer, _) = event { claims.append((epoch, writer)) }
                        if case .roundOpened = event { opened = true }
                    }
                }
            }
            if opened { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(claims.map(\.epoch) == [1], "the first authority claims epoch 1")

        // The second authority takes over; the first must stop, fenced.
        nonisolated(unsafe) let second = RoundAuthority(configuration: configuration, log: stack.log)
        let secondRun = Task { try await second.run() }
        defer { secondRun.cancel() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await firstRun.value }
                group.addTask { try await Task.sleep(for: .seconds(20)); throw CancellationError() }
                try await group.next()
                group.cancelAll()
            }
            Issue.record("the first authority kept running")
        } catch let error as AuthorityError {
            guard case .fenced(let epoch) = error else { Issue.record("unexpected \(error)"); return }
            #expect(epoch == 2)
        }

        // A late write of the fenced authority: a huge payout nobody must count.
        let zombie = RoundEvent.cashedOut(round: 1, betID: "zombie", player: "mallory", stake: Money(minorUnits: 100, currency: stack.table.currency),
                                          multiplier: Multiplier(hundredths: 100_000), payout: Money(minorUnits: 100_000, currency: stack.table.currency),
                                          reason: .manual, at: Timestamp(milliseconds: 1))
        _ = try await stack.log.append([Records.make(zombie, table: stack.table.table, topics: stack.topics,
                                                     stamp: Records.AuthorityStamp(epoch: 1, writer: claims[0].writer))])
        // The second authority voids the first's round and plays on.
        let rounds = try await stack.eventually("the second authority to settle a round", seconds: 60,
            "select round::text, phase from rounds order by round", { rows in rows.contains { $0[1] == "settled" } })
        #expect(rounds.first?[1] == "voided", "the round in progress at the takeover is voided: \(rounds)")
        // Settlement ignored the zombie: no wallet command for it; the projection has no such bet.
        var zombieCommands = 0
        for walletPartition in 0..<Int32(4) {
            try await stack.log.readToEnd(TopicPartition(topic: stack.topics.walletCommands, partition: walletPartition)) { records in
                zombieCommands += records.filter { String(decoding: $0.value, as: UTF8.self).contains("zombie") }.count
            }
        }
        #expect(zombieCommands == 0, "settlement must not act on a fenced authority's events")
        let zombieRows = try await stack.rows("select count(*)::text from bets where bet_id = 'zombie'")
        #expect(zombieRows.first?.first == "0", "the projector must not count a fenced authority's events")
        secondRun.cancel()
        readers.cancel()
        _ = try? await secondRun.value
        _ = try? await readers.value
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
