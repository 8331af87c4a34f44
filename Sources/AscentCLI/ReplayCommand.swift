import AscentLog
import AscentPostgres
import AscentProjector
import AscentServices
import Foundation

/// `ascent replay --into URL`: rebuilds every projection from the log alone into an empty database.
struct ReplayCommand: Subcommand {
    static let name = "replay"
    static let summary = "rebuild every projection from the log into an empty database"
    static var help: String {
        """
        usage: ascent replay --into DATABASE_URL [--schema NAME] [--projector NAME] [log options]

        Migrates the target database (or one schema of it), refuses it unless its projection tables
        are empty, then reads the round and wallet events from the log (--log, else --database)
        and writes the players, balances, ledger, rounds and bets tables exactly as the projector
        does, up to the log's end as it was when the replay began. Compare it with the live
        projection to prove the projection is what the log says.

          --into URL          the database to rebuild into (libpq URL)
          --schema NAME       rebuild into this schema of it (created if missing), not the default
          --projector NAME    the projector name stored with the positions (default main, the live one's)
        \(StackOptions.help)

        example: ascent replay --log "$ASCENT_DATABASE_URL" --into 'postgresql:///audit?host=/tmp'
        """
    }

    let into: String
    let schema: String?
    let projectorName: String
    let options: StackOptions

    init(arguments: inout Arguments) throws {
        guard let into = try arguments.option("--into") else { throw UsageError("give --into DATABASE_URL") }
        self.into = into
        schema = try arguments.option("--schema")
        projectorName = try arguments.option("--projector") ?? "main"
        options = try StackOptions(arguments: &arguments)
        guard options.logURL != nil || options.databaseURL != nil else {
            throw UsageError("give the log to replay: --log URL or --database URL")
        }
    }

    func run() async throws -> Int32 {
        let migrator = try Migrator(databaseURL: into, files: try Migrator.loadFiles(directory: options.migrationsDirectory), schema: schema)
        for line in try await migrator.migrate() { print("migrate: \(line)") }
        let target = schema.map { Self.url(into, searchPath: $0) } ?? into
        let held = try await Self.projectedRows(target)
        guard held == 0 else {
            printError("ascent replay: the target already holds \(held) projected rows; replay into an empty database or schema")
            return 1
        }
        let log = try options.makeLog()
        let start = ContinuousClock.now
        let projector = Projector(log: log, databaseURL: target, topics: options.topics, name: projectorName)
        do {
            try await projector.catchUp()
        } catch {
            try? await log.shutdown()
            throw error
        }
        try await log.shutdown()
        let positions = try await projector.storedPositions()
        let records = positions.values.reduce(0, +)
        let elapsed = ContinuousClock.now - start
        print("replay: projected \(records) records from \(positions.count) partitions into \(schema.map { "schema \($0) of " } ?? "")the target in \(elapsed)")
        return 0
    }

    /// `url` with the session's search_path set to `schema`, for URIs and key=value strings alike.
    static func url(_ url: String, searchPath schema: String) -> String {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            return url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        }
        return url + " options='-csearch_path=\(schema)'"
    }

    /// Rows in the projection tables: a replay target must hold none.
    static func projectedRows(_ url: String) async throws -> Int64 {
        let worker = PQWorker(url: url, name: "ascent-replay", maxPendingJobs: 1)
        defer { worker.stop() }
        return try await worker.run("count projected rows") { connection throws(PQError) in
            try connection.execute("""
                select (select count(*) from players) + (select count(*) from balances) + (select count(*) from ledger_entries)
                     + (select count(*) from rounds) + (select count(*) from bets) + (select count(*) from projector_positions)
                """, operation: "count projected rows").int64(0, 0) ?? 0
        }
    }
}
