import Foundation
import Testing

/// The integration PostgreSQL every test target shares: found through ASCENT_TEST_DATABASE_URL
/// (scripts/test starts one); tests skip without it, printing why, unless
/// ASCENT_REQUIRE_INTEGRATION=1, when a missing database is a test failure instead.
public enum IntegrationDatabase {
    /// The database URL, or nil when integration tests should skip.
    public static func url() -> String? {
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
    public static let migrationsDirectory: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/migrations"
    }()

    /// `url` with its session's search_path set to `schema`, so a test has its own tables.
    public static func url(_ url: String, searchPath schema: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// A name no other test or run uses: `prefix` plus a random suffix.
    public static func unique(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }
}
