import Foundation

/// One numbered SQL file under migrations/, e.g. `0002_wallet.sql`.
public struct MigrationFile: Sendable, Hashable {
    /// Its number, from the file name's leading digits.
    public var version: Int
    /// The file name without `.sql`, e.g. `0002_wallet`.
    public var name: String
    /// The file's SQL, run as one script inside the migration's transaction.
    public var sql: String

    /// A migration numbered `version`.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// A migration that cannot be applied, or a database whose history disagrees with the files.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and which file it concerns, for people.
    public var description: String
    /// A migration failure saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Brings a database up to the numbered SQL files: each file not yet applied runs in its own
/// transaction together with its `schema_migrations` row; an applied file whose content changed
/// since is refused (checksums are PostgreSQL's own `sha256()` of the file's bytes).
public struct Migrator: Sendable {
    /// Where to connect.
    public var databaseURL: String
    /// The migrations, sorted by version.
    public var files: [MigrationFile]
    /// The schema to migrate (created if missing); nil for the connection's default (public).
    public var schema: String?

    /// A migrator applying `files` to the database at `databaseURL`, in `schema` when given.
    public init(databaseURL: String, files: [MigrationFile], schema: String? = nil) throws(MigrationError) {
        self.databaseURL = databaseURL
        self.files = files.sorted { $0.version < $1.version }
        self.schema = schema
        for (previous, next) in zip(self.files, self.files.dropFirst()) where previous.version == next.version {
            throw MigrationError("two migrations are numbered \(next.version): \(previous.name).sql and \(next.name).sql")
        }
        if let schema, !schema.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) || schema.isEmpty {
            throw MigrationError("schema name '\(schema)' must be lowercase letters, digits and underscores")
        }
    }

    /// The files named `NNNN_name.sql` in `directory`, sorted; other files are ignored.
    public static func loadFiles(directory: String) throws(MigrationError) -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError("cannot read the migrations directory \(directory): \(error.localizedDescription)")
        }
        var files: [MigrationFile] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let name = String(fileName.dropLast(4))
            let digits = name.prefix { $0.isASCII && $0.isNumber }
            guard digits.count >= 4, name.dropFirst(digits.count).first == "_", let version = Int(digits) else {
                throw MigrationError("migration file \(fileName) is not named NNNN_name.sql")
            }
            guard let data = FileManager.default.contents(atPath: directory + "/" + fileName),
                  let sql = String(data: data, encoding: .utf8) else {
                throw MigrationError("cannot read migration file \(fileName) as UTF-8")
            }
            files.append(MigrationFile(version: version, name: name, sql: sql))
        }
        if files.isEmpty { throw MigrationError("no NNNN_name.sql files in \(directory)") }
        return files
    }

    /// Applies what is missing and returns what it did, one line each ("applied 0002_x",
    /// "up to date at 0003_y"). Throws, naming the file, when a file changed after it was applied
    /// or a migration fails (that migration is rolled back; earlier ones stay applied).
    public func migrate() async throws -> [String] {
        let worker = PQWorker(url: databaseURL, name: "ascent-migrate", maxPendingJobs: 1)
        defer { worker.stop() }
        let files = self.files
        let schema = self.schema
        let outcome: Result<[String], any Error> = try await worker.run("migrate") { connection in
            Result { try Self.migrate(files: files, schema: schema, on: connection) }
        }
        return try outcome.get()
    }

    private static func migrate(files: [MigrationFile], schema: String?, on connection: PQConnection) throws -> [String] {
        if let schema {
            try connection.executeScript("create schema if not exists \"\(schema)\"; set search_path to \"\(schema)\"",
                                         operation: "select schema \(schema)")
        }
        // One migrator at a time per schema (tests and replicas may start together).
        _ = try connection.execute("select pg_advisory_lock(hashtext('ascent-migrations:' || current_schema()))", operation: "lock migrations")
        defer { _ = try? connection.execute("select pg_advisory_unlock_all()", operation: "unlock migrations") }
        try connection.executeScript("""
            create table if not exists schema_migrations (
                version    integer primary key,
                name       text not null,
                checksum   text not null,
                applied_at timestamptz not null default now()
            )
            """, operation: "create schema_migrations")
        let applied = try connection.execute("select version, name, checksum from schema_migrations order by version",
                                             operation: "read schema_migrations")
        var appliedByVersion: [Int: (name: String, checksum: String)] = [:]
        for row in applied.rows.indices {
            appliedByVersion[Int(applied.int64(row, 0)!)] = (applied.text(row, 1)!, applied.text(row, 2)!)
        }
        let highestApplied = appliedByVersion.keys.max() ?? 0
        var report: [String] = []
        for file in files {
            let checksum = try connection.execute("select encode(sha256($1::bytea), 'hex')", [.bytes(Array(file.sql.utf8))],
                                                  operation: "checksum \(file.name).sql").text(0, 0)!
            if let existing = appliedByVersion[file.version] {
                guard existing.name == file.name else {
                    throw MigrationError("migration \(file.version) was applied as \(existing.name).sql but the file is now \(file.name).sql")
                }
                guard existing.checksum == checksum else {
                    throw MigrationError("""
                        \(file.name).sql was changed after it was applied (sha256 \(existing.checksum.prefix(12))… in \
                        the database, \(checksum.prefix(12))… on disk); restore it and put the change in a new migration
                        """)
                }
                continue
            }
            guard file.version > highestApplied else {
                throw MigrationError("\(file.name).sql is numbered below \(highestApplied), which is already applied; renumber it")
            }
            do {
                try connection.executeScript("begin", operation: "begin \(file.name)")
                try connection.executeScript(file.sql, operation: "run \(file.name).sql")
                _ = try connection.execute("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)",
                                           [.int(file.version), .text(file.name), .text(checksum)],
                                           operation: "record \(file.name)")
                try connection.executeScript("commit", operation: "commit \(file.name)")
            } catch {
                _ = try? connection.executeScript("rollback", operation: "roll back \(file.name)")
                // Everything in this do block throws PQError (typed), so the message and SQLSTATE are known.
                throw MigrationError("\(file.name).sql failed and was rolled back: \(error.message) [SQLSTATE \(error.sqlState)]")
            }
            report.append("applied \(file.name)")
        }
        let known = Set(files.map(\.version))
        for (version, row) in appliedByVersion.sorted(by: { $0.key < $1.key }) where !known.contains(version) {
            report.append("note: the database has \(row.name) applied, which no file here provides (a newer release?)")
        }
        if let last = files.last {
            report.append(report.contains { $0.hasPrefix("applied") } ? "now at \(last.name)" : "up to date at \(last.name)")
        }
        return report
    }
}
