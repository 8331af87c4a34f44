import AscentPostgres
import Foundation
import Testing

/// The integration database: ASCENT_TEST_DATABASE_URL, with the repository's migrations applied.
enum TestDatabase {
    /// The database URL, or nil when integration tests should skip (printed why). With
    /// ASCENT_REQUIRE_INTEGRATION=1 a missing URL is a test failure instead.
    static func url() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["ASCENT_TEST_DATABASE_URL"], !url.isEmpty { return url }
        if environment["ASCENT_REQUIRE_INTEGRATION"] == "1" {
            Issue.record("ASCENT_TEST_DATABASE_URL is unset but ASCENT_REQUIRE_INTEGRATION=1")
        } else {
            print("skipping PostgreSQL test: ASCENT_TEST_DATABASE_URL is unset (scripts/pg start prints one)")
        }
        return nil
    }

    /// The repository's migrations folder, found from this file's path.
    static let migrationsDirectory: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/migrations"
    }()

    /// Applies the migrations to `schema` (the default one when nil).
    static func migrate(_ url: String, schema: String? = nil) async throws {
        _ = try await Migrator(databaseURL: url, files: try Migrator.loadFiles(directory: migrationsDirectory), schema: schema).migrate()
    }

    /// A name no other test or run uses.
    static func unique(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }

    /// `url` with its session's search_path set to `schema`.
    static func url(_ url: String, searchPath schema: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// Every row of `sql`'s single text column.
    static func texts(_ url: String, _ sql: String) async throws -> [String] {
        let worker = PQWorker(url: url, name: "ascent-audit-tests", maxPendingJobs: 1)
        defer { worker.stop() }
        let result = try await worker.run("test query") { connection throws(PQError) in try connection.execute(sql, operation: "test query") }
        return result.rows.indices.map { result.text($0, 0) ?? "null" }
    }
}
