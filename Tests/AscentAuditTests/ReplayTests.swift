import AscentAudit
import AscentCLI
import AscentLog
import AscentPostgres
import AscentProjector
import AscentServices
import Foundation
import Testing

/// The golden log on the real PostgreSQL log: projected live in chunks into one schema, replayed
/// by `ascent replay` into another, the two compared table by table and row by row; and audited
/// from the database by `ascent audit`, whose `audit round` finds the projection equal to the log.
@Suite(.serialized) struct ReplayTests {
    @Test func replayRebuildsTheLiveProjectionExactly() async throws {
        guard let url = TestDatabase.url() else { return }
        try await TestDatabase.migrate(url)
        let prefix = TestDatabase.unique("audit") + "."
        let topics = LogTopics(prefix: prefix)
        let live = TestDatabase.unique("live"), replayed = TestDatabase.unique("replayed")
        let lines = try GoldenLog.load("clean.jsonl")

        let log = PostgresEventLog(databaseURL: url)
        try await log.createTopic(topics.roundEvents, partitions: 1, retention: .forever)
        try await log.createTopic(topics.walletEvents, partitions: GoldenLog.parameters.walletPartitions, retention: .forever)
        try await TestDatabase.migrate(url, schema: live)
        let projector = Projector(log: log, databaseURL: TestDatabase.url(url, searchPath: live), topics: topics, name: "main")
        // Append and project in chunks of 97 records, as the live projector follows the log: batch
        // boundaries fall anywhere (between a crash and its losses too), unlike the replay's one batch.
        var chunk: [OutgoingRecord] = []
        for (index, line) in lines.enumerated() {
            let topic = line.topic == GoldenLog.parameters.roundTopic ? topics.roundEvents : topics.walletEvents
            chunk.append(OutgoingRecord(topic: topic, key: Array(line.key.utf8), value: line.value, partition: line.partition))
            if index % 97 == 96 || index == lines.count - 1 {
                let landed = try await log.append(chunk)
                chunk = []
                #expect(landed.last!.offset >= 0)
                try await projector.catchUp()
            }
        }
        // Every record landed at its fixture offset.
        let ends = try await log.endOffsets([TopicPartition(topic: topics.roundEvents, partition: 0)])
        #expect(ends.values.first == Int64(lines.filter { $0.topic == GoldenLog.parameters.roundTopic }.count))

        let status = await AscentMain.run(["replay", "--into", url, "--schema", replayed, "--log", url, "--topic-prefix", prefix,
                                           "--migrations", TestDatabase.migrationsDirectory])
        #expect(status == 0)
        // A target that already holds projections is refused: a replay never merges into one.
        #expect(await AscentMain.run(["replay", "--into", url, "--schema", replayed, "--log", url, "--topic-prefix", prefix,
                                      "--migrations", TestDatabase.migrationsDirectory]) == 1)

        for (table, excluded) in [("players", ""), ("balances", ""), ("ledger_entries", " - 'entry_id'"), ("rounds", ""), ("bets", ""),
                                  ("projector_positions", ""), ("finance_daily", ""), ("player_pnl", ""), ("open_liabilities", ""),
                                  ("money_conservation", "")] {
            let query = { (schema: String) in "select (to_jsonb(t)\(excluded))::text as r from \(schema).\(table) t order by r" }
            let liveRows = try await TestDatabase.texts(url, query(live))
            let replayedRows = try await TestDatabase.texts(url, query(replayed))
            #expect(!liveRows.isEmpty || table == "open_liabilities", "\(table) is empty: nothing was compared")
            #expect(liveRows.count == replayedRows.count, "\(table): \(liveRows.count) live rows, \(replayedRows.count) replayed")
            if let (index, pair) = zip(liveRows, replayedRows).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("\(table) row \(index + 1) differs:\n live     \(pair.0)\n replayed \(pair.1)")
            }
        }
        let conservation = try await TestDatabase.texts(url, "select imbalance_minor::text from \(replayed).money_conservation")
        #expect(conservation.allSatisfy { $0 == "0" }, "the ledger does not balance: \(conservation)")

        // The audit reads the same log from PostgreSQL and finds it clean; the live projection of a
        // round equals the round rebuilt from the log, column by column.
        let auditArguments = ["--log", url, "--topic-prefix", prefix, "--salt", GoldenLog.salt, "--max-win", "20000", "--max-stake", "10000",
                              "--terminating-hash", GoldenLog.terminatingHash.hex, "--json"]
        #expect(await AscentMain.run(["audit"] + auditArguments) == 0)
        #expect(await AscentMain.run(["audit", "round", "--round", "9", "--database", TestDatabase.url(url, searchPath: live)] + auditArguments) == 0)
        // A projection row that disagrees with the log is a mismatch (the column is named in the report).
        _ = try await TestDatabase.texts(url, "update \(live).bets set payout_minor = payout_minor + 1 where round = 9 and status = 'cashed_out'")
        #expect(await AscentMain.run(["audit", "round", "--round", "9", "--database", TestDatabase.url(url, searchPath: live)] + auditArguments) == 1)
        try await log.shutdown()
    }
}
