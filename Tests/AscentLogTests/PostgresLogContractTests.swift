import AscentLog
import AscentPostgres
import Testing

/// The log contract on the PostgreSQL backend (skipped without ASCENT_TEST_DATABASE_URL).
@Suite struct PostgresLogContractTests {
    /// A factory of fresh logs on the migrated test database, with short group timings.
    static func factory(_ url: String, lostAcknowledgements: Int = 0) -> LogFactory {
        { @Sendable in
            var configuration = PostgresEventLog.Configuration(databaseURL: url)
            configuration.heartbeatIntervalMilliseconds = 200
            configuration.sessionTimeoutMilliseconds = 3_000
            configuration.simulatedLostAcknowledgements = lostAcknowledgements
            return PostgresEventLog(configuration: configuration)
        }
    }

    static func prefix(_ name: String) -> String { TestDatabase.unique("pg-\(name)") }

    @Test func perPartitionOrder() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.perPartitionOrder(makeLog: Self.factory(url), prefix: Self.prefix("order"))
    }

    @Test func noLoss() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.noLoss(makeLog: Self.factory(url), prefix: Self.prefix("loss"))
    }

    @Test func noDuplicatesAcrossRetries() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.noDuplicatesAcrossRetries(makeFaultyLog: Self.factory(url, lostAcknowledgements: 5),
                                                        prefix: Self.prefix("retries"))
    }

    @Test func positionsSurviveRestart() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.positionsSurviveRestart(makeLog: Self.factory(url), prefix: Self.prefix("restart"))
    }

    @Test func groupSplitAndHandover() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.groupSplitAndHandover(makeLog: Self.factory(url), prefix: Self.prefix("split"))
    }

    @Test func readToEnd() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.readToEnd(makeLog: Self.factory(url), prefix: Self.prefix("end"))
    }

    @Test func largeValues() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.largeValues(makeLog: Self.factory(url), prefix: Self.prefix("large"))
    }

    @Test func concurrentProducers() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        try await LogContract.concurrentProducers(makeLog: Self.factory(url), prefix: Self.prefix("concurrent"))
    }
}
