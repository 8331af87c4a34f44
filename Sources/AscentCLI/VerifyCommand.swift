import AscentFairness

/// `ascent verify`: recomputes crash points from a game hash and walks back along its chain, for
/// Ascent's scheme and the published schemes of other crash games.
struct VerifyCommand: Subcommand {
    static let name = "verify"
    static let summary = "recompute crash points from a game hash (ascent, bustabit, bcgame schemes)"
    static let maximumCount: Int64 = 10_000_000
    static var help: String {
        """
        usage: ascent verify --scheme S --hash HEX [--salt TEXT] [--count N] [--house-edge-bp E]

        Prints one line per game, `<game hash> <crash>x`: the given game first, then N-1 earlier
        games found by walking back along the hash chain. Nothing secret is needed: the game hash is
        revealed after each round. docs/fairness.md explains every formula and cites its source.

        options:
          --scheme S          one of: \(VerificationScheme.allCases.map(\.rawValue).joined(separator: ", "))
                                ascent       Ascent's own: HMAC-SHA256(key = salt text, message = raw seed),
                                             exact integer ceiling; chain hashes raw bytes
                                bustabit-v1  bustabit 2015: HMAC keyed by the hash's hex text; 0.00x busts
                                bustabit-v2  bustabit 2018: HMAC keyed by the salt; chain hashes hex text
                                bustabit     bustabit 2025 chain: as v2, but the chain hashes raw bytes
                                bcgame       BC.Game crash: v2 after rounding to 9 significant digits
          --hash HEX          the game's hash (seed): 64 hex digits
          --salt TEXT         the public salt; required for ascent, defaults to the operator's
                              published salt for the other schemes
          --count N           how many games to print, 1 to \(maximumCount) (default 1)
          --house-edge-bp E   ascent only: house edge in basis points, 0 to 9999 (default 100 = 1%)

        example:
          ascent verify --scheme bustabit-v1 --count 3 \\
              --hash c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d
        """
    }

    let verifier: CrashVerifier
    let hash: Bytes32
    let count: Int

    init(arguments: inout Arguments) throws {
        guard let schemeName = try arguments.option("--scheme") else { throw UsageError("--scheme is required") }
        guard let scheme = VerificationScheme(rawValue: schemeName) else {
            throw UsageError("unknown scheme '\(schemeName)'; use one of \(VerificationScheme.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let hashText = try arguments.option("--hash") else { throw UsageError("--hash is required") }
        let hexDigits = hashText.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0)
        }
        guard hexDigits, !hashText.isEmpty else { throw UsageError("--hash must be hexadecimal digits, not '\(hashText)'") }
        guard let hash = Bytes32(hex: hashText) else {
            throw UsageError("--hash must be 64 hex digits (32 bytes); got \(hashText.utf8.count)")
        }
        let salt = try arguments.option("--salt") ?? scheme.defaultSalt
        guard let salt else { throw UsageError("--salt is required for the \(scheme.rawValue) scheme") }
        let edge = try arguments.integer("--house-edge-bp", in: 0...9_999)
        if edge != nil, scheme != .ascent {
            throw UsageError("--house-edge-bp applies to the ascent scheme only (\(scheme.rawValue) has a fixed edge)")
        }
        let count = try arguments.integer("--count", in: 1...Self.maximumCount) ?? 1
        self.verifier = CrashVerifier(scheme: scheme, salt: salt, houseEdgeBasisPoints: edge ?? 100)
        self.hash = hash
        self.count = Int(count)
    }

    func run() async throws -> Int32 {
        var output = OutputBuffer()
        var gameHash = hash
        for index in 0..<count {
            output.appendLine("\(gameHash.hex) \(verifier.crash(gameHash: gameHash))")
            if index + 1 < count { gameHash = verifier.previousGameHash(of: gameHash) }
        }
        output.flush()
        return 0
    }
}
