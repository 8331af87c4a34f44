import AscentCore
import AscentFairness
import AscentKafka
import AscentLog
import AscentPostgres
import AscentProjector
import AscentServices
import AscentTestSupport
import Foundation
import Testing

/// A whole stack on an isolated PostgreSQL schema: its own log tables and projections.
struct StackHarness {
    let url: String
    let schema: String
    let log: any EventLog
    /// The mock Kafka cluster the log lives on, when the stack runs on Kafka.
    let kafka: RDKafkaMockCluster?
    let topics = LogTopics()
    let table: TableConfig
    let chain: SeedChain
    let salt: String

    /// A migrated, empty schema; nil when integration tests are skipped.
    static func make(_ name: String, rounds: Int = 40, onKafka: Bool = false, bettingMilliseconds: Int64 = 2_500,
                     tickMilliseconds: Int64 = 40) async throws -> StackHarness? {
        guard let base = IntegrationDatabase.url() else { return nil }
        let schema = IntegrationDatabase.unique(name)
        let migrator = try Migrator(databaseURL: base, files: try Migrator.loadFiles(directory: migrationsDirectory), schema: schema)
        _ = try await migrator.migrate()
        let url = IntegrationDatabase.url(base, searchPath: schema)
        var configuration = PostgresEventLog.Configuration(databaseURL: url)
        configuration.heartbeatIntervalMilliseconds = 200
        configuration.sessionTimeoutMilliseconds = 3_000
        let kafka = onKafka ? try RDKafkaMockCluster(brokerCount: 3) : nil
        let log: any EventLog = if let kafka { try KafkaEventLog(mockCluster: kafka) } else { PostgresEventLog(configuration: configuration) }
        var table = TableConfig(table: "t1", currency: Currency(code: "EUR")!, minimumStakeMinorUnits: 10, maximumStakeMinorUnits: 5_000,
                                maximumWinMinorUnits: 1_000_000, bettingWindowMilliseconds: bettingMilliseconds, tickIntervalMilliseconds: tickMilliseconds)
        // The betting window leaves room for a loaded machine (the whole suite runs in parallel);
        // ten times the standard rate (2x after 1.16 s) keeps the flights short.
        table.curve = GrowthCurve(ratePerMillisecond: 0.0006)
        let chain = SeedChain.generate(terminalSeed: Bytes32(Array(repeating: 0x11, count: 32))!, length: rounds)
        // A salt whose rounds all crash below 12x, so no round of the test runs long.
        var copy = chain
        var salt = ""
        for candidate in 0..<10_000 {
            let scheme = AscentCrashScheme(salt: "test-salt-\(candidate)", houseEdgeBasisPoints: table.houseEdgeBasisPoints)
            if (1...rounds).allSatisfy({ scheme.crashPoint(seed: copy.seed(forRound: $0)) < Multiplier(hundredths: 1_200) }) {
                salt = "test-salt-\(candidate)"
                break
            }
        }
        precondition(!salt.isEmpty, "no salt keeps every test round short")
        let harness = StackHarness(url: url, schema: schema, log: log, kafka: kafka, table: table, chain: chain, salt: salt)
        try await harness.topics.create(on: log, partitions: 4)
        return harness
    }

    static var migrationsDirectory: String { IntegrationDatabase.migrationsDirectory }

    /// The crash point of round `round`.
    func crashPoint(round: Int) -> Multiplier {
        var copy = chain
        return AscentCrashScheme(salt: salt, houseEdgeBasisPoints: table.houseEdgeBasisPoints).crashPoint(seed: copy.seed(forRound: round))
    }

    /// Runs the authority, wallet, settlement and projector in tasks; cancel the returned task to stop them.
    func start() -> Task<Void, Error> {
        nonisolated(unsafe) let authority = RoundAuthority(
            configuration: AuthorityConfiguration(table: table, chain: chain, salt: salt, intermissionMilliseconds: 300, topics: topics), log: log)
        nonisolated(unsafe) let wallet = WalletService(log: log, topics: topics)
        nonisolated(unsafe) let settlement = SettlementService(log: log, topics: topics)
        nonisolated(unsafe) let projector = Projector(log: log, databaseURL: url, topics: topics)
        return Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await authority.run() }
                group.addTask { try await wallet.run() }
                group.addTask { try await settlement.run() }
                group.addTask { try await projector.run() }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Runs `query` until `condition` holds on its rows, or fails after `seconds`.
    func eventually(_ what: String, seconds: Double = 60, _ query: String,
                    _ condition: ([[String?]]) -> Bool) async throws -> [[String?]] {
        let deadline = Date().addingTimeInterval(seconds)
        var rows: [[String?]] = []
        while Date() < deadline {
            rows = try await self.rows(query)
            if condition(rows) { return rows }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what); last rows: \(rows)")
        return rows
    }

    /// The rows of `query` as text.
    func rows(_ query: String) async throws -> [[String?]] {
        let connection = try PQConnection(url: url)
        let result = try connection.execute(query, operation: "test query")
        return (0..<result.rows.count).map { row in
            (0..<result.rows[row].count).map { column in result.text(row, column) }
        }
    }

    /// Drops the test's schema (its log and projections).
    func drop() async throws {
        guard let base = ProcessInfo.processInfo.environment["ASCENT_TEST_DATABASE_URL"], !base.isEmpty else { return }
        let connection = try PQConnection(url: base)
        _ = try connection.execute("drop schema \(schema) cascade", operation: "drop test schema")
    }

    /// The round-events partition of the harness's table.
    func tablePartition() async throws -> TopicPartition {
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        return TopicPartition(topic: topics.roundEvents,
                              partition: KafkaPartitioner.partition(forKey: Array(table.table.rawValue.utf8), partitionCount: partitions))
    }

    /// Deposits `minorUnits` for each of `players` (command ids `fund-<player>`).
    func fund(_ players: [PlayerID], minorUnits: Int64) async throws {
        try await send(players.map {
            WalletCommand(id: "fund-\($0)", player: $0, action: .deposit(Money(minorUnits: minorUnits, currency: table.currency), reference: "op"),
                          at: Timestamp(milliseconds: 0))
        })
    }

    /// `player`'s stake reservation for bet `bet` of `round` at the table (command id `reserve:<bet>`).
    func reserve(_ player: PlayerID, round: Int64, bet: BetID, stakeMinor: Int64, auto: Multiplier? = nil) -> WalletCommand {
        let reference = BetReference(table: table.table, round: round, betID: bet)
        return WalletCommand(id: "reserve:\(reference)", player: player,
                             action: .reserveStake(reference, Money(minorUnits: stakeMinor, currency: table.currency), autoCashOut: auto),
                             at: Timestamp(milliseconds: 0))
    }

    /// Appends wallet commands.
    func send(_ commands: [WalletCommand]) async throws {
        _ = try await log.append(commands.map { Records.make($0, topics: topics) })
    }

    /// Appends a player's round command.
    func send(_ command: RoundCommand) async throws {
        _ = try await log.append([Records.make(command, table: table.table, topics: topics)])
    }
}
