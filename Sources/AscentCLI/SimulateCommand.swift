#if canImport(Glibc)
import Glibc
#endif
import AscentCore
import AscentCrypto
import AscentFairness

/// `ascent simulate`: plays rounds with simulated players through the real round decider and the
/// real fairness chain, on a virtual clock, printing each round with the proof that anyone can check.
struct SimulateCommand: Subcommand {
    static let name = "simulate"
    static let summary = "play rounds with simulated players and print each with its fairness proof"
    static var help: String {
        """
        usage: ascent simulate [--rounds N] [--players P] [--seed S] [--salt TEXT] [--chain FILE] [--pause-ms MS]

        Plays N rounds (default 20) at one table with P simulated players (default 25) who bet,
        set auto cash-outs and cash out by hand, using the same decider the round authority runs.
        Each round prints its crash point, bets, stakes and payouts, the revealed seed, and the
        checks that SHA-256(seed) equals the commitment shown before betting and that the crash point
        follows from the seed and the salt. The last line compares the players' return with the
        configured RTP. Nothing is written anywhere.

          --rounds N     rounds to play, 1 to 1000000 (default 20)
          --players P    simulated players, 1 to 10000 (default 25)
          --seed S       seed of the players' random choices (default 1), for reproducible runs
          --salt TEXT    the public salt (default: a fixed demonstration salt)
          --chain FILE   a chain from `ascent chain generate` (default: a fresh random chain in memory)
          --pause-ms MS  pause between rounds so the stream can be watched (default 250; 0 = none)

        Verify any printed round independently:
          ascent verify --scheme ascent --hash <seed> --salt <salt> --count 2
        """
    }

    static let demonstrationSalt = "ascent-demo-salt-0000000000000000000a1b2c3d"

    let rounds: Int
    let players: Int
    let seed: UInt64
    let salt: String
    let chainPath: String?
    let pauseMilliseconds: Int

    init(arguments: inout Arguments) throws {
        rounds = Int(try arguments.integer("--rounds", in: 1...1_000_000) ?? 20)
        players = Int(try arguments.integer("--players", in: 1...10_000) ?? 25)
        seed = UInt64(try arguments.integer("--seed", in: 0...Int64.max) ?? 1)
        salt = try arguments.option("--salt") ?? Self.demonstrationSalt
        chainPath = try arguments.option("--chain")
        pauseMilliseconds = Int(try arguments.integer("--pause-ms", in: 0...60_000) ?? 250)
    }

    func run() async throws -> Int32 {
        var chain: SeedChain
        if let chainPath {
            chain = try SeedChain(decoding: try FileIO.readAll(chainPath, limit: ChainCommand.maximumFileBytes))
            guard chain.length >= rounds else { throw UsageError("the chain has \(chain.length) rounds; fewer than --rounds") }
        } else {
            chain = SeedChain.generate(terminalSeed: Bytes32(try OpenSSLRandom.bytes(count: 32))!, length: rounds)
        }
        let eur = Currency(code: "EUR")!
        let config = TableConfig(table: "demo", currency: eur, minimumStakeMinorUnits: 10, maximumStakeMinorUnits: 10_000,
                                 maximumWinMinorUnits: 1_000_000)
        let scheme = AscentCrashScheme(salt: salt, houseEdgeBasisPoints: config.houseEdgeBasisPoints)
        var simulator = RoundSimulator(config: config, players: players, seed: seed)
        print("table demo · house edge \(Money.formatDecimal(config.houseEdgeBasisPoints, exponent: 2))% · salt \(salt)")
        print("terminating hash (published before round 1): \(chain.terminatingHash.hex)")
        var totalStake: Int64 = 0, totalPayout: Int64 = 0
        for round in 1...rounds {
            let roundSeed = chain.seed(forRound: round)
            let commitment = chain.commitment(forRound: round)
            let result = simulator.play(round: Int64(round), commitment: commitment.hex, secret: scheme.roundSecret(seed: roundSeed))
            totalStake += result.stake
            totalPayout += result.payout
            let proves = SeedChain.isLink(seed: roundSeed, provesCommitment: commitment)
            let derived = scheme.crashPoint(seed: roundSeed) == result.crashPoint
            let line = "round \(String(round).leftPadded(to: 4))  crash \(result.crashPoint.description.leftPadded(to: 9))"
                + "  bets \(String(result.bets).leftPadded(to: 3))  cashed \(String(result.cashOuts).leftPadded(to: 3))"
                + "  stake \(Money(minorUnits: result.stake, currency: eur).description.leftPadded(to: 12))"
                + "  paid \(Money(minorUnits: result.payout, currency: eur).description.leftPadded(to: 12))"
                + "  seed \(roundSeed.hex)  \(proves ? "✓ sha256(seed)=commitment" : "✗ COMMITMENT MISMATCH")"
                + "  \(derived ? "✓ crash=hmac(salt,seed)" : "✗ CRASH MISMATCH")"
            print(line)
            guard proves, derived else { return 1 }
            if pauseMilliseconds > 0 && round < rounds { usleep(UInt32(pauseMilliseconds) * 1_000) }
        }
        let rtp = totalStake == 0 ? "n/a" : Money.formatDecimal(totalPayout * 10_000 / totalStake, exponent: 2) + "%"
        print("\(rounds) rounds · stake \(Money(minorUnits: totalStake, currency: eur)) · paid \(Money(minorUnits: totalPayout, currency: eur)) · players' return \(rtp) (configured RTP \(Money.formatDecimal(10_000 - config.houseEdgeBasisPoints, exponent: 2))%)")
        return 0
    }
}

/// Plays one round at a time with simulated players on a virtual clock.
struct RoundSimulator {
    struct Result {
        var crashPoint: Multiplier
        var bets: Int
        var cashOuts: Int
        var stake: Int64
        var payout: Int64
    }

    let decider: Round
    let players: Int
    var rng: SplitMix64
    var state = RoundState()
    var clock: Int64 = 1_800_000_000_000

    init(config: TableConfig, players: Int, seed: UInt64) {
        decider = Round(config: config)
        self.players = players
        rng = SplitMix64(seed: seed)
    }

    mutating func play(round: Int64, commitment: String, secret: RoundSecret) -> Result {
        let config = decider.config
        apply(.open(round: round, commitment: commitment, at: now()), secret)
        var manualTargets: [(BetID, PlayerID, Multiplier)] = []
        for player in 0..<players where rng.next() % 3 != 0 {
            let playerID = PlayerID("bot-\(player)")
            let betCount = rng.next() % 4 == 0 ? 2 : 1
            for slot in 0..<betCount {
                clock += Int64(rng.next() % 50)
                let stake = Money(minorUnits: Int64([10, 50, 100, 200, 500, 1_000, 5_000][Int(rng.next() % 7)]), currency: config.currency)
                let target = Multiplier(hundredths: 101 + Int64(rng.next() % 400))
                let betID = BetID("r\(round)-p\(player)-\(slot)")
                let auto = rng.next() % 2 == 0
                apply(.placeBet(PlaceBet(betID: betID, player: playerID, stake: stake, autoCashOut: auto ? target : nil, at: now())), secret)
                if !auto { manualTargets.append((betID, playerID, target)) }
            }
        }
        clock = max(clock, state.bettingClosesAt!.milliseconds)
        apply(.takeOff(at: now()), secret)
        let tookOff = clock
        let crashAt = tookOff + config.curve.firstElapsedMilliseconds(reaching: secret.crashPoint)
        manualTargets.sort { $0.2 < $1.2 }
        var next = 0
        while true {
            clock += config.tickIntervalMilliseconds
            if clock >= crashAt {
                apply(.crash(at: Timestamp(milliseconds: crashAt)), secret)
                break
            }
            let multiplier = config.curve.multiplier(atElapsedMilliseconds: clock - tookOff)
            while next < manualTargets.count, manualTargets[next].2 <= multiplier {
                apply(.cashOut(betID: manualTargets[next].0, player: manualTargets[next].1, at: now()), secret)
                next += 1
            }
            apply(.tick(at: now()), secret)
        }
        apply(.settle(at: now()), secret)
        let bets = state.bets.values
        let cashOuts = bets.filter { if case .cashedOut = $0.status { true } else { false } }.count
        return Result(crashPoint: secret.crashPoint, bets: bets.count, cashOuts: cashOuts,
                      stake: state.totalStakeMinorUnits, payout: state.totalPayoutMinorUnits)
    }

    private func now() -> Timestamp { Timestamp(milliseconds: clock) }

    private mutating func apply(_ command: RoundCommand, _ secret: RoundSecret) {
        // Rejections (a cash-out that lost the race with an auto target, say) are answers, not failures.
        guard case .success(let events) = decider.decide(command, state: state, secret: secret) else { return }
        for event in events { decider.apply(event, to: &state) }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
