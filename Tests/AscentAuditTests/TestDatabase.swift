import AscentPostgres
import AscentTestSupport
import Foundation
import Testing

/// The integration database: ASCENT_TEST_DATABASE_URL, with the repository's migrations applied.
enum TestDatabase {
    /// The database URL, or nil when integration tests should skip (see `IntegrationDatabase`).
    static func url() -> String? { IntegrationDatabase.url() }

    /// The repository's migrations folder.
    static var migrationsDirectory: String { IntegrationDatabase.migrationsDirectory }

    /// Applies the migrations to `schema` (the default one when nil).
    static func migrate(_ url: String, schema: String? = nil) async throws {
        _ = try await Migrator(databaseURL: url, files: try Migrator.loadFiles(directory: migrationsDirectory), schema: schema).migrate()
    }

    /// A name no other test or run uses.
    static func unique(_ prefix: String) -> String { IntegrationDatabase.unique(prefix) }

    /// `url` with its session's search_path set to `schema`.
    static func url(_ url: String, searchPath schema: String) -> String { IntegrationDatabase.url(url, searchPath: schema) }

    /// Every row of `sql`'s single text column.
    static func texts(_ url: String, _ sql: String) async throws -> [String] {
        let worker = PQWorker(url: url, name: "ascent-audit-tests", maxPendingJobs: 1)
        defer { worker.stop() }
        let result = try await worker.run("test query") { connection throws(PQError) in try connection.execute(sql, operation: "test query") }
        return result.rows.indices.map { result.text($0, 0) ?? "null" }
    }
}
