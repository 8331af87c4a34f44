import AscentPostgres
import Foundation

/// `ascent migrate`: brings the PostgreSQL database up to the numbered files in migrations/.
struct MigrateCommand: Subcommand {
    static let name = "migrate"
    static let summary = "apply the numbered SQL migrations to PostgreSQL"
    static let help = """
        usage: ascent migrate [--database URL] [--migrations DIR] [--schema NAME]

        Applies every migrations/NNNN_name.sql file not yet applied, each in its own transaction
        with its row in schema_migrations, and says what it did. Refuses (exit 1), naming the file,
        when an applied file was changed afterwards or a migration fails (that one is rolled back).

          --database URL     libpq URL (default: $ASCENT_DATABASE_URL)
          --migrations DIR   the migrations folder (default: $ASCENT_MIGRATIONS_DIR, else ./migrations)
          --schema NAME      migrate this schema instead of the default (created if missing)

        example: ascent migrate --database 'postgresql:///ascent?host=/tmp'
        """

    var databaseURL: String
    var directory: String
    var schema: String?

    init(arguments: inout Arguments) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = try arguments.option("--database") ?? environment["ASCENT_DATABASE_URL"] else {
            throw UsageError("give --database URL or set ASCENT_DATABASE_URL")
        }
        databaseURL = url
        directory = try arguments.option("--migrations") ?? environment["ASCENT_MIGRATIONS_DIR"] ?? "migrations"
        schema = try arguments.option("--schema")
    }

    func run() async throws -> Int32 {
        do {
            let migrator = try Migrator(databaseURL: databaseURL, files: try Migrator.loadFiles(directory: directory), schema: schema)
            for line in try await migrator.migrate() { print(line) }
            return 0
        } catch let error as MigrationError {
            printError("ascent migrate: \(error)")
            return 1
        }
    }
}
