import AscentCrypto
import AscentFairness

/// `ascent chain`: creates an operator's secret seed chain and inspects it.
struct ChainCommand: Subcommand {
    static let name = "chain"
    static let summary = "generate a secret seed chain, show its terminating hash, look up a round's seed"
    /// The most checkpoints a generated file may hold (320 MB): bounds the file and its reading.
    static let maximumCheckpoints = 10_000_000
    static let maximumFileBytes = 68 + 32 * maximumCheckpoints + 32
    static var help: String {
        """
        usage: ascent chain generate --length N [--interval K] --out FILE
               ascent chain show --file FILE
               ascent chain seed --file FILE --round I

        generate  draws a random 32-byte terminal seed (OpenSSL RAND_bytes), hashes it N times and
                  writes the chain to FILE with mode 0600 (it refuses to overwrite). Prints the
                  terminating hash to publish BEFORE choosing the salt. FILE is SECRET: it holds every
                  future seed. A checkpoint is stored every K links (default \(SeedChain.defaultCheckpointInterval)).
                  N: 1 to \(SeedChain.maximumLength); K: 1 to \(SeedChain.maximumCheckpointInterval); N/K at most \(maximumCheckpoints).
        show      prints the length, checkpoint interval and terminating hash (never a seed).
        seed      prints round I's seed and its commitment (SHA-256 of the seed), for operators and
                  tests; never show a seed before its round has crashed.

        example:
          ascent chain generate --length 1000000 --out table-1.chain
        """
    }

    enum Action {
        case generate(length: Int, interval: Int, path: String)
        case show(path: String)
        case seed(path: String, round: Int64)
    }

    let action: Action

    init(arguments: inout Arguments) throws {
        guard let word = arguments.positional() else { throw UsageError("say what to do: generate, show or seed") }
        switch word {
        case "generate":
            guard let length = try arguments.integer("--length", in: 1...Int64(SeedChain.maximumLength)) else {
                throw UsageError("--length is required")
            }
            let interval = try arguments.integer("--interval", in: 1...Int64(SeedChain.maximumCheckpointInterval))
                ?? Int64(SeedChain.defaultCheckpointInterval)
            guard (length - 1) / interval + 1 <= Int64(Self.maximumCheckpoints) else {
                throw UsageError("--length / --interval gives more than \(Self.maximumCheckpoints) checkpoints; raise --interval")
            }
            guard let path = try arguments.option("--out") else { throw UsageError("--out is required") }
            action = .generate(length: Int(length), interval: Int(interval), path: path)
        case "show":
            guard let path = try arguments.option("--file") else { throw UsageError("--file is required") }
            action = .show(path: path)
        case "seed":
            guard let path = try arguments.option("--file") else { throw UsageError("--file is required") }
            guard let round = try arguments.integer("--round", in: 1...Int64(SeedChain.maximumLength)) else {
                throw UsageError("--round is required")
            }
            action = .seed(path: path, round: round)
        default:
            throw UsageError("unknown action '\(word)'; use generate, show or seed")
        }
    }

    func run() async throws -> Int32 {
        switch action {
        case .generate(let length, let interval, let path):
            // Checked first so a long generation is not wasted; the create below is still exclusive.
            guard !FileIO.exists(path) else {
                printError("ascent chain: \(path) already exists; refusing to overwrite a chain")
                return 1
            }
            let terminalSeed = Bytes32(try OpenSSLRandom.bytes(count: 32))!
            let chain = SeedChain.generate(terminalSeed: terminalSeed, length: length, checkpointInterval: interval)
            try FileIO.createExclusively(path, bytes: chain.encoded(), mode: 0o600)
            print("terminating hash \(chain.terminatingHash.hex)")
            print("wrote a chain of \(length) rounds (checkpoint every \(interval)) to \(path), mode 0600")
            print("keep \(path) SECRET: it holds every future seed. Publish the terminating hash, then fix the salt.")
            return 0
        case .show(let path):
            let chain = try SeedChain(decoding: FileIO.readAll(path, limit: Self.maximumFileBytes))
            print("length \(chain.length)")
            print("checkpoint interval \(chain.checkpointInterval)")
            print("terminating hash \(chain.terminatingHash.hex)")
            return 0
        case .seed(let path, let round):
            var chain = try SeedChain(decoding: FileIO.readAll(path, limit: Self.maximumFileBytes))
            guard round <= chain.length else {
                printError("ascent chain: round \(round) is outside this chain (1 to \(chain.length))")
                return 2
            }
            let seed = chain.seed(forRound: Int(round))
            print("round \(round)")
            print("seed \(seed.hex)")
            print("commitment \(chain.commitment(forRound: Int(round)).hex)")
            return 0
        }
    }
}
