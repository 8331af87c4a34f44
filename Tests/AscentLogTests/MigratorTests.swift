import AscentLog
import AscentPostgres
import Foundation
import Testing

/// The migrator against the real PostgreSQL, each test in a schema of its own.
@Suite struct MigratorTests {
    let first = MigrationFile(version: 1, name: "0001_accounts", sql: "create table accounts (id bigint primary key);")
    let second = MigrationFile(version: 2, name: "0002_balances",
                               sql: "create table balances (id bigint primary key); insert into balances values (1);")

    @Test func freshApplyThenRerunIsANoOp() async throws {
        guard let url = TestDatabase.url() else { return }
        let schema = TestDatabase.unique("migrate_fresh")
        let report = try await Migrator(databaseURL: url, files: [second, first], schema: schema).migrate()
        #expect(report == ["applied 0001_accounts", "applied 0002_balances", "now at 0002_balances"])
        #expect(try await rows(url, "select count(*) from \(schema).balances") == 1)
        #expect(try await rows(url, "select count(*) from \(schema).schema_migrations") == 2)

        let again = try await Migrator(databaseURL: url, files: [first, second], schema: schema).migrate()
        #expect(again == ["up to date at 0002_balances"])
        #expect(try await rows(url, "select count(*) from \(schema).balances") == 1, "a re-run ran a migration twice")
    }

    @Test func changedFileIsRefusedByName() async throws {
        guard let url = TestDatabase.url() else { return }
        let schema = TestDatabase.unique("migrate_changed")
        _ = try await Migrator(databaseURL: url, files: [first], schema: schema).migrate()
        var edited = first
        edited.sql += "\n-- an edit after the fact\n"
        await #expect(throws: MigrationError.self) {
            try await Migrator(databaseURL: url, files: [edited, second], schema: schema).migrate()
        }
        do {
            _ = try await Migrator(databaseURL: url, files: [edited, second], schema: schema).migrate()
        } catch let error as MigrationError {
            #expect(error.description.contains("0001_accounts.sql was changed after it was applied"), "\(error)")
        }
        // Nothing after the refused file ran.
        #expect(try await rows(url, "select count(*) from \(schema).schema_migrations") == 1)
    }

    @Test func failingMigrationRollsBackWholly() async throws {
        guard let url = TestDatabase.url() else { return }
        let schema = TestDatabase.unique("migrate_failing")
        let broken = MigrationFile(version: 2, name: "0002_broken",
                                   sql: "create table half_done (id int); insert into no_such_table values (1);")
        do {
            _ = try await Migrator(databaseURL: url, files: [first, broken], schema: schema).migrate()
            Issue.record("a failing migration reported success")
        } catch let error as MigrationError {
            #expect(error.description.contains("0002_broken.sql failed and was rolled back"), "\(error)")
        }
        #expect(try await rows(url, "select count(*) from \(schema).schema_migrations") == 1)
        #expect(try await rows(url, "select count(*) from information_schema.tables where table_schema = '\(schema)' and table_name = 'half_done'") == 0)
        // Fixing the file lets it apply.
        let report = try await Migrator(databaseURL: url, files: [first, second], schema: schema).migrate()
        #expect(report == ["applied 0002_balances", "now at 0002_balances"])
    }

    @Test func repositoryMigrationsApply() async throws {
        guard let url = TestDatabase.url() else { return }
        let schema = TestDatabase.unique("migrate_repo")
        let files = try Migrator.loadFiles(directory: TestDatabase.migrationsDirectory)
        let report = try await Migrator(databaseURL: url, files: files, schema: schema).migrate()
        #expect(report.last == "now at \(files.last!.name)")
    }

    /// A log written with a row per record (migration 0001) keeps every record at its offset when
    /// 0003 packs the rows into batches, and appends then continue after them.
    @Test func recordBatchMigrationKeepsStoredRecordsAtTheirOffsets() async throws {
        guard let url = TestDatabase.url() else { return }
        let schema = TestDatabase.unique("migrate_batches")
        let files = try Migrator.loadFiles(directory: TestDatabase.migrationsDirectory)
        _ = try await Migrator(databaseURL: url, files: files.filter { $0.version < 3 }, schema: schema).migrate()
        let scoped = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        let worker = PQWorker(url: scoped, name: "migrator-test")
        defer { worker.stop() }
        try await worker.run("old append") { connection throws(PQError) in
            _ = try connection.execute("insert into log_topics values ('t', 1, null)", operation: "old append")
            _ = try connection.execute("insert into log_partitions (topic, partition) values ('t', 0)", operation: "old append")
            // The 0001 signature: keys, values and headers as separate arrays.
            _ = try connection.execute("""
                select * from log_append('old', array['t', 't']::text[], array[0, 0], array[0, 2]::int8[], array[2, 1],
                                         array['\\x6b31', '\\x6b32', '\\x6b33']::bytea[], array['\\x01', '\\x0202', '\\x030303']::bytea[],
                                         array['\\x', '\\x', '\\x']::bytea[])
                """, operation: "old append")
        }
        _ = try await Migrator(databaseURL: url, files: files, schema: schema).migrate()
        let log = PostgresEventLog(databaseURL: scoped)
        _ = try await log.append([OutgoingRecord(topic: "t", key: Array("k4".utf8), value: [4, 4, 4, 4])])
        let consumer = try await log.makeConsumer(.positions([TopicPartition(topic: "t", partition: 0): 1]))
        let poll = try await consumer.poll(maxRecords: 10, timeoutMilliseconds: 1_000)
        #expect(poll.records.map(\.offset) == [1, 2, 3])
        #expect(poll.records.map(\.value) == [[2, 2], [3, 3, 3], [4, 4, 4, 4]])
        #expect(poll.records.map { String(decoding: $0.key, as: UTF8.self) } == ["k2", "k3", "k4"])
        try await consumer.close()
        try await log.shutdown()
    }

    private func rows(_ url: String, _ sql: String) async throws -> Int64 {
        let worker = PQWorker(url: url, name: "migrator-test")
        defer { worker.stop() }
        return try await worker.run("count") { connection throws(PQError) in
            try connection.execute(sql, operation: "count").int64(0, 0) ?? -1
        }
    }
}
