import AscentPostgres
import Testing

/// The libpq wrapper against the real PostgreSQL: errors, binary values, arrays, notifications and
/// reconnecting after the server drops the connection.
@Suite struct PQConnectionTests {
    @Test func failedConnectionThrowsAndFreesTheHandle() {
        #expect {
            _ = try PQConnection(url: "postgresql:///nodb?host=/nonexistent-socket-dir&connect_timeout=2")
        } throws: { error in
            (error as? PQError)?.sqlState == "08001" && (error as? PQError)?.isRetriable == true
        }
    }

    @Test func errorsCarrySQLStateAndRetriability() async throws {
        guard let url = TestDatabase.url() else { return }
        let worker = PQWorker(url: url, name: "pq-errors")
        defer { worker.stop() }
        let syntax = await capture(worker) { connection throws(PQError) in try connection.execute("selec 1", operation: "typo") }
        #expect(syntax?.sqlState == "42601" && syntax?.isRetriable == false && syntax?.operation == "typo")
        let serialization = await capture(worker) { connection throws(PQError) in
            try connection.execute("do $$ begin raise exception 'conflict' using errcode = '40001'; end $$", operation: "conflict")
        }
        #expect(serialization?.sqlState == "40001" && serialization?.isRetriable == true && serialization?.message.contains("conflict") == true)
        // The connection stays usable after errors.
        #expect(try await worker.run("after") { connection throws(PQError) in try connection.execute("select 7", operation: "after").int64(0, 0) } == 7)
    }

    /// A pipeline runs its statements in one round trip, each in a transaction of its own: one that
    /// fails rolls back alone, the others commit, and the session goes on as before.
    @Test func pipelinedStatementsAreTransactionsOfTheirOwn() async throws {
        guard let url = TestDatabase.url() else { return }
        let table = TestDatabase.unique("pq_pipeline")
        let worker = PQWorker(url: url, name: "pq-pipeline")
        defer { worker.stop() }
        let results = try await worker.run("pipeline") { connection throws(PQError) in
            try connection.executeScript("create table \(table) (n int primary key)", operation: "create")
            let insert = "insert into \(table) values ($1) returning n, txid_current()"
            let outcomes = try connection.executePipeline([
                PQConnection.Statement(insert, [.text("1")], operation: "first", prepared: true),
                PQConnection.Statement(insert, [.text("1")], operation: "duplicate", prepared: true),
                PQConnection.Statement(insert, [.text("2")], operation: "third"),
            ])
            let after = try connection.execute("select array_agg(n order by n)::text from \(table)", operation: "after")
            try connection.executeScript("drop table \(table)", operation: "drop")
            return (outcomes.map { outcome in (try? outcome.get()).map { [$0.int64(0, 0)!, $0.int64(0, 1)!] } },
                    outcomes.map { outcome -> String? in if case .failure(let error) = outcome { error.sqlState } else { nil } },
                    after.text(0, 0))
        }
        #expect(results.0[0]?[0] == 1 && results.0[2]?[0] == 2, "the first and third commit: \(results.0)")
        #expect(results.0[0]?[1] != results.0[2]?[1], "each in a transaction of its own")
        #expect(results.1 == [nil, "23505", nil], "the duplicate fails alone with its SQLSTATE")
        #expect(results.2 == "{1,2}", "both committed rows are there; the session is usable after the pipeline")
    }

    @Test func binaryValuesAndArrayLiteralsRoundTrip() async throws {
        guard let url = TestDatabase.url() else { return }
        let worker = PQWorker(url: url, name: "pq-values")
        defer { worker.stop() }
        var texts = PQArrayLiteral()
        let strings = ["plain", "quote \" and backslash \\", "{braces, commas}", "ünïcødé ✓", ""]
        for text in strings { texts.append(text: text) }
        var blobs = PQArrayLiteral()
        let bytes: [[UInt8]] = [[], [0, 255, 92, 34], Array(0...255)]
        for blob in bytes { blobs.append(bytea: blob) }
        let (textList, blobList) = (texts.text, blobs.text)
        let result = try await worker.run("values") { connection throws(PQError) in
            (try connection.execute("select -5::int2, -5::int4, -5000000000::int8, null::int8, true, $1::bytea",
                                    [.bytes([1, 2, 3])], operation: "scalars"),
             try connection.execute("select t from unnest($1::text[]) with ordinality as u (t, n) order by n", [.text(textList)], operation: "texts"),
             try connection.execute("select b from unnest($1::bytea[]) with ordinality as u (b, n) order by n", [.text(blobList)], operation: "blobs"))
        }
        #expect(result.0.int64(0, 0) == -5 && result.0.int64(0, 1) == -5 && result.0.int64(0, 2) == -5_000_000_000)
        #expect(result.0.int64(0, 3) == nil && result.0.bool(0, 4) == true && result.0.bytes(0, 5) == [1, 2, 3])
        #expect(result.1.rows.indices.map { result.1.text($0, 0)! } == strings)
        #expect(result.2.rows.indices.map { result.2.bytes($0, 0)! } == bytes)
    }

    /// Rows built with PQCopyRows and copied in come back as written: text with every character
    /// COPY treats specially, NULLs, integers to both ends of Int64, and instants (before 1970, leap
    /// days, the last millisecond of a day, years of five digits and BC) to the millisecond.
    @Test func copiedRowsRoundTrip() async throws {
        guard let url = TestDatabase.url() else { return }
        let table = TestDatabase.unique("pq_copy")
        let worker = PQWorker(url: url, name: "pq-copy")
        defer { worker.stop() }
        let texts: [String?] = ["plain", "tab\there", "line\nfeed\r", "back\\slash \\N", "ünïcødé ✓", "", nil, "\\.", "last"]
        let numbers: [Int64?] = [0, -1, .max, .min, nil, 1_234_567_890_123, 7, -40, 9]
        let instants: [Int64] = [0, -1, 1_764_806_400_000, 1_709_164_799_999, 951_782_400_000, -62_135_596_800_000,
                                 253_402_300_799_999, 253_402_300_800_000, -62_135_596_800_001]
        var rows = PQCopyRows()
        for index in texts.indices {
            rows.append(Int64(index))
            rows.append(text: texts[index])
            rows.append(numbers[index])
            rows.append(timestampMilliseconds: instants[index])
            rows.append(instants[index])
            rows.endRow()
        }
        #expect(rows.count == texts.count)
        let copied = rows
        let result = try await worker.run("copy") { connection throws(PQError) in
            try connection.executeScript("create table \(table) (n bigint, t text, i bigint, at timestamptz, ms bigint)", operation: "create")
            try connection.copyIn("copy \(table) (n, t, i, at, ms) from stdin", chunks: [copied.bytes], operation: "copy")
            return try connection.execute("select t, i, extract(epoch from at) * 1000 = ms, at::text from \(table) order by n", operation: "read")
        }
        #expect(result.rows.count == texts.count)
        for row in result.rows.indices {
            #expect(result.text(row, 0) == texts[row])
            #expect(result.int64(row, 1) == numbers[row])
            #expect(result.bool(row, 2) == true, "instant \(instants[row]) ms came back as \(result.text(row, 3) ?? "null")")
        }
    }

    @Test func notificationsWakeAWaitingConnection() async throws {
        guard let url = TestDatabase.url() else { return }
        let channel = TestDatabase.unique("pq_channel")
        let listener = PQWorker(url: url, name: "pq-listener") { connection throws(PQError) in
            try connection.executeScript("listen \(channel)", operation: "listen")
        }
        let notifier = PQWorker(url: url, name: "pq-notifier")
        defer { listener.stop(); notifier.stop() }
        _ = try await listener.run("connect") { connection throws(PQError) in try connection.execute("select 1", operation: "connect") }
        _ = try await notifier.run("notify") { connection throws(PQError) in try connection.execute("select pg_notify($1, 'hello')", [.text(channel)], operation: "notify") }
        let received = try await listener.run("wait") { connection throws(PQError) in try connection.waitForNotifications(timeoutMilliseconds: 10_000) }
        #expect(received.map { $0.payload } == ["hello"] && received.first?.channel == channel)
    }

    @Test func workerReconnectsAfterTheServerDropsTheConnection() async throws {
        guard let url = TestDatabase.url() else { return }
        let victim = PQWorker(url: url, name: "pq-victim")
        let killer = PQWorker(url: url, name: "pq-killer")
        defer { victim.stop(); killer.stop() }
        let pid = try await victim.run("pid") { connection throws(PQError) in connection.backendProcessID }
        _ = try await killer.run("terminate") { connection throws(PQError) in try connection.execute("select pg_terminate_backend($1)", [.int(pid)], operation: "terminate") }
        let lost = await capture(victim) { connection throws(PQError) in try connection.execute("select 1", operation: "after terminate") }
        #expect(lost?.isConnectionLoss == true && lost?.isRetriable == true, "\(String(describing: lost))")
        let again = try await victim.run("reconnect") { connection throws(PQError) in connection.backendProcessID }
        #expect(again != pid, "the worker did not open a new connection")
    }

    /// The PQError that `body` throws on `worker`, or nil when it succeeds.
    private func capture(_ worker: PQWorker, _ body: @escaping @Sendable (PQConnection) throws(PQError) -> PQResult) async -> PQError? {
        do {
            _ = try await worker.run("capture", body)
            return nil
        } catch {
            return error
        }
    }
}
