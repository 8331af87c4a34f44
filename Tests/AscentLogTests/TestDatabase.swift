import AscentPostgres
import AscentTestSupport
import Foundation
import Testing

/// The integration database for these tests: ASCENT_TEST_DATABASE_URL, migrated once per process.
enum TestDatabase {
    /// The database URL, or nil when integration tests should skip (see `IntegrationDatabase`).
    static func url() -> String? { IntegrationDatabase.url() }

    /// The repository's migrations folder.
    static var migrationsDirectory: String { IntegrationDatabase.migrationsDirectory }

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
    static func unique(_ prefix: String) -> String { IntegrationDatabase.unique(prefix) }

}
