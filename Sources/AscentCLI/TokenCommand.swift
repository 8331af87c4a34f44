import AscentCore
import AscentCrypto
import AscentFairness
import AscentServices
import Foundation

/// `ascent token`: mints a player token for development, signed with the edge's secret.
struct TokenCommand: Subcommand {
    static let name = "token"
    static let summary = "mint a signed player token (development; operators issue their own)"
    static let help = """
        usage: ascent token --player ID [--ttl SECONDS] [--data-dir DIR]

        Prints a token for player ID valid for SECONDS (default 86400), signed with the secret in
        $ASCENT_TOKEN_SECRET or, when unset, in DIR/token.secret (created once, mode 0600; default
        DIR: $ASCENT_DATA_DIR, else .build/ascent-data). The edge verifies tokens with the same secret.
        """

    let player: String
    let ttl: Int64
    let dataDirectory: String

    init(arguments: inout Arguments) throws {
        guard let player = try arguments.option("--player"), !player.isEmpty, player.utf8.count <= 64 else {
            throw UsageError("--player ID is required (1 to 64 bytes)")
        }
        self.player = player
        ttl = try arguments.integer("--ttl", in: 1...31_536_000) ?? 86_400
        dataDirectory = try arguments.option("--data-dir") ?? ProcessInfo.processInfo.environment["ASCENT_DATA_DIR"] ?? ".build/ascent-data"
    }

    /// The token secret: $ASCENT_TOKEN_SECRET, else the data directory's token.secret, created on first use.
    static func secret(dataDirectory: String) throws -> [UInt8] {
        if let secret = ProcessInfo.processInfo.environment["ASCENT_TOKEN_SECRET"], !secret.isEmpty { return Array(secret.utf8) }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = "\(dataDirectory)/token.secret"
        if !FileIO.exists(path) {
            try? FileIO.createExclusively(path, bytes: Array(Hex.encode(try OpenSSLRandom.bytes(count: 32)).utf8), mode: 0o600)
        }
        return try FileIO.readAll(path, limit: 4_096)
    }

    func run() async throws -> Int32 {
        let expiry = Int64(Date().timeIntervalSince1970) + ttl
        print(PlayerToken(player: PlayerID(player), expiresAt: expiry).signed(secret: try Self.secret(dataDirectory: dataDirectory)))
        return 0
    }
}
