import AscentCore
import AscentCrypto
import AscentFairness
import AscentKafka
import AscentLog
import AscentPostgres
import AscentServices
import Foundation

/// The options every service subcommand shares: where the log and the database are, the topics, the
/// table, the seed chain and salt. Flags win over environment variables, which win over the config file.
struct StackOptions {
    var databaseURL: String?
    var logURL: String?
    var topicPrefix: String
    var partitions: Int32
    var table: TableConfig
    var dataDirectory: String
    var salt: String?
    var migrationsDirectory: String
    var intermissionMilliseconds: Int64

    static let help = """
          --database URL       PostgreSQL for projections and the embedded log (default: $ASCENT_DATABASE_URL)
          --log URL            postgres://… or postgresql://… (default: the database) or kafka://host:port,host:port
          --topic-prefix P     prefix of the topics (default: $ASCENT_TOPIC_PREFIX, else "ascent.")
          --partitions N       partitions per topic when creating them (default 8)
          --table NAME         the table (default: $ASCENT_TABLE, else "main")
          --currency CODE      the table's ISO 4217 currency (default EUR)
          --min-stake N, --max-stake N, --max-win N   limits in minor units (defaults 10, 100000, 100000000)
          --betting-ms N       betting window (default 5000); --tick-ms N tick interval (default 100)
          --house-edge-bp N    house edge in basis points (default 100 = 1%)
          --curve-rate R       growth rate per millisecond (default 0.00006: 2.00x after 11.55 s)
          --intermission-ms N  pause between a round's settlement and the next round (default 3000)
          --data-dir DIR       where the seed chain and salt live (default: $ASCENT_DATA_DIR, else .build/ascent-data)
          --salt TEXT          the public salt (default: the one stored in the data dir, created once)
          --migrations DIR     migrations folder (default: $ASCENT_MIGRATIONS_DIR, else ./migrations)
          --config FILE        a file of KEY=VALUE lines with the environment variables' names
        """

    init(arguments: inout Arguments) throws {
        var environment = ProcessInfo.processInfo.environment
        if let file = try arguments.option("--config") {
            for (key, value) in try StackOptions.readConfig(file) where environment[key] == nil { environment[key] = value }
        }
        databaseURL = try arguments.option("--database") ?? environment["ASCENT_DATABASE_URL"]
        logURL = try arguments.option("--log") ?? environment["ASCENT_LOG_URL"]
        topicPrefix = try arguments.option("--topic-prefix") ?? environment["ASCENT_TOPIC_PREFIX"] ?? "ascent."
        partitions = Int32(try arguments.integer("--partitions", in: 1...256) ?? 8)
        let tableName = try arguments.option("--table") ?? environment["ASCENT_TABLE"] ?? "main"
        let code = try arguments.option("--currency") ?? environment["ASCENT_CURRENCY"] ?? "EUR"
        guard let currency = Currency(code: code) else { throw UsageError("unknown currency '\(code)'") }
        table = TableConfig(table: TableID(tableName), currency: currency)
        table.minimumStakeMinorUnits = try arguments.integer("--min-stake", in: 1...Int64.max / 100) ?? 10
        table.maximumStakeMinorUnits = try arguments.integer("--max-stake", in: 1...Int64.max / 100) ?? 100_000
        table.maximumWinMinorUnits = try arguments.integer("--max-win", in: 1...Int64.max / 100) ?? 100_000_000
        table.bettingWindowMilliseconds = try arguments.integer("--betting-ms", in: 500...600_000) ?? 5_000
        table.tickIntervalMilliseconds = try arguments.integer("--tick-ms", in: 10...10_000) ?? 100
        table.houseEdgeBasisPoints = try arguments.integer("--house-edge-bp", in: 0...9_999) ?? 100
        if let text = try arguments.option("--curve-rate") {
            guard let rate = Double(text), rate > 0, rate < 1 else { throw UsageError("--curve-rate takes a number between 0 and 1, not '\(text)'") }
            table.curve = GrowthCurve(ratePerMillisecond: rate)
        }
        intermissionMilliseconds = try arguments.integer("--intermission-ms", in: 0...600_000) ?? 3_000
        if let problem = table.problems.first { throw UsageError(problem) }
        dataDirectory = try arguments.option("--data-dir") ?? environment["ASCENT_DATA_DIR"] ?? ".build/ascent-data"
        salt = try arguments.option("--salt") ?? environment["ASCENT_SALT"]
        migrationsDirectory = try arguments.option("--migrations") ?? environment["ASCENT_MIGRATIONS_DIR"] ?? "migrations"
    }

    var topics: LogTopics { LogTopics(prefix: topicPrefix) }

    /// KEY=VALUE lines; blank lines and lines starting with # are skipped.
    static func readConfig(_ path: String) throws -> [String: String] {
        let text = String(decoding: try FileIO.readAll(path, limit: 1 << 20), as: UTF8.self)
        var values: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { throw UsageError("\(path):\(number + 1): expected KEY=VALUE") }
            values[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return values
    }

    /// The database URL, or an error saying how to give one.
    func requireDatabase() throws -> String {
        guard let databaseURL else { throw UsageError("give --database URL or set ASCENT_DATABASE_URL (scripts/pg start prints one)") }
        return databaseURL
    }

    /// The event log the options name: Kafka for kafka://…, else PostgreSQL. On PostgreSQL its
    /// sessions are named `ascent-<part>-writer`, `-consumer`, `-admin` in pg_stat_activity.
    /// `niceness` applies to its threads and sessions (`Niceness`).
    func makeLog(part: String = "log", niceness: Int32 = 0) throws -> any EventLog {
        if let logURL, logURL.hasPrefix("kafka://") {
            return try KafkaEventLog(brokers: String(logURL.dropFirst("kafka://".count)), properties: [:])
        }
        return PostgresEventLog(configuration: .init(databaseURL: try logURL ?? requireDatabase(), part: part, niceness: niceness))
    }

    /// Applies the migrations, saying what was done.
    func migrate(_ databaseURL: String) async throws {
        let migrator = try Migrator(databaseURL: databaseURL, files: try Migrator.loadFiles(directory: migrationsDirectory))
        for line in try await migrator.migrate() { print("migrate: \(line)") }
    }

    /// The table's seed chain and salt from the data directory, created on first use. In production
    /// the chain is generated with `ascent chain generate`, its terminating hash published, and only
    /// then the salt fixed; the embedded default does the same steps in one go and says so.
    func loadOrCreateChain() throws -> (chain: SeedChain, salt: String) {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let chainPath = "\(dataDirectory)/\(table.table.rawValue).chain"
        let saltPath = "\(dataDirectory)/\(table.table.rawValue).salt"
        if !FileIO.exists(chainPath) {
            let chain = SeedChain.generate(terminalSeed: Bytes32(try OpenSSLRandom.bytes(count: 32))!, length: 1_000_000)
            try FileIO.createExclusively(chainPath, bytes: chain.encoded(), mode: 0o600)
            print("chain: generated 1,000,000 rounds for table \(table.table.rawValue) in \(chainPath) (secret)")
            print("chain: terminating hash \(chain.terminatingHash.hex) — publish it before fixing the salt")
        }
        let chain = try SeedChain(decoding: try FileIO.readAll(chainPath, limit: ChainCommand.maximumFileBytes))
        if let salt { return (chain, salt) }
        if !FileIO.exists(saltPath) {
            let salt = Hex.encode(try OpenSSLRandom.bytes(count: 32))
            try FileIO.createExclusively(saltPath, bytes: Array(salt.utf8), mode: 0o644)
            print("chain: fixed the public salt \(salt) after the terminating hash (stored in \(saltPath))")
        }
        let salt = String(decoding: try FileIO.readAll(saltPath, limit: 4_096), as: UTF8.self)
        return (chain, salt.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
