import AscentPostgres
import Foundation
import Testing

/// The integration database for these tests: ASCENT_TEST_DATABASE_URL, migrated once per process.
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

    /// The URL of the database after applying the repository's migrations (once per process).
    static func migratedURL() async throws -> String? {
        guard let url = url() else { return nil }
        try await migrated.value(url)
        return url
    }

    private static let migrated = Once()

    /// Runs the migrator at most once per process, however many tests ask at once.
    actor Once {
        private var task: Task<Void, any Error>?
        func value(_ url: String) async throws {
            if task == nil {
                task = Task {
                    let migrator = try Migrator(databaseURL: url, files: try Migrator.loadFiles(directory: TestDatabase.migrationsDirectory))
                    _ = try await migrator.migrate()
                }
            }
            try await task!.value
        }
    }

    /// A name no other test or run uses: `prefix` plus a random suffix.
    static func unique(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }
}
