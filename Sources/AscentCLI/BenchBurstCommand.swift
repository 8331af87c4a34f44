import AscentCore
import AscentServices

/// `ascent bench burst`: a table's busiest instant — thousands of auto cash-outs set off at once —
/// through the round decider and the log codec, in memory, next to a reference measured in the
/// same run. What the round authority does on its thread at that instant (decide, apply) and what
/// its appender and every reader do with the result (encode, decode).
struct BenchBurstCommand: Subcommand {
    static let name = "bench-burst"
    static let summary = "benchmarks: `bench burst` times one instant's auto cash-outs through the decider and the codec"
    static var help: String {
        """
        usage: ascent bench burst [--bets N] [--repeat K]

        A round with N bets (default 17000), every second one with an auto cash-out at 1.50x as
        `bench stack` places them, takes off; then the instant the curve reaches 1.50x:
          decide     the round decider's tick there: every auto cash-out it sets off (N/2 events)
          apply      those events applied to the round's state, as the authority does before it
                     reads the next request
          encode     the events laid into log records (cashedOutBatch records, Records.make), the
                     appender's work
          decode     the records read back into events (RoundEvent.decodeRecord), every reader's work
        each the median of K repetitions (default 20) on a freshly built round, next to
          reference  one look-up per cash-out in the round's bets, the least a decision touches
        The decoded events must equal the decided ones.
        """
    }

    let bets: Int
    let repetitions: Int

    init(arguments: inout Arguments) throws {
        // Reached through `ascent bench burst`, which has already read the word "burst".
        bets = Int(try arguments.integer("--bets", in: 2...1_000_000) ?? 17_000)
        repetitions = Int(try arguments.integer("--repeat", in: 1...1_000) ?? 20)
    }

    func run() async throws -> Int32 {
        let eur = Currency(code: "EUR")!
        var table = TableConfig(table: "bench", currency: eur, minimumStakeMinorUnits: 10, maximumStakeMinorUnits: 100_000,
                                maximumWinMinorUnits: 100_000_000, bettingWindowMilliseconds: 4_000, tickIntervalMilliseconds: 100)
        table.curve = GrowthCurve(ratePerMillisecond: 0.0003)
        let round = Round(config: table)
        let target = Multiplier(hundredths: 150)
        let secret = RoundSecret(seed: String(repeating: "a", count: 64), crashPoint: Multiplier(hundredths: 500))
        let opened = Timestamp(milliseconds: 1_764_806_400_000)
        let tookOff = opened.advanced(byMilliseconds: Int64(table.bettingWindowMilliseconds))
        let instant = tookOff.advanced(byMilliseconds: table.curve.firstElapsedMilliseconds(reaching: target))
        let topics = LogTopics()
        let stamp = Records.AuthorityStamp(epoch: 1, writer: "bench")

        /// The round as it stands just before the instant: every bet placed, flying.
        func flyingRound() throws -> RoundState {
            var state = RoundState()
            func play(_ command: RoundCommand) throws {
                switch round.decide(command, state: state, secret: secret) {
                case .success(let events): for event in events { round.apply(event, to: &state) }
                case .failure(let rejection): throw UsageError("the bench round refused \(command.typeName): \(rejection.code)")
                }
            }
            try play(.open(round: 1, commitment: String(repeating: "b", count: 64), at: opened))
            for index in 0..<bets {
                try play(.placeBet(PlaceBet(betID: BetID("r1-\(index)"), player: PlayerID("p\(index / 2)"),
                                            stake: Money(minorUnits: 100, currency: eur),
                                            autoCashOut: index % 2 == 1 ? target : nil, at: opened)))
            }
            try play(.takeOff(at: tookOff))
            return state
        }

        var decide: [Duration] = [], apply: [Duration] = [], encode: [Duration] = [], decode: [Duration] = [], reference: [Duration] = []
        var cashOuts = 0, bytes = 0, records = 0
        let clock = ContinuousClock()
        for _ in 0..<repetitions {
            var state = try flyingRound()
            let ids = (0..<bets).filter { $0 % 2 == 1 }.map { BetID("r1-\($0)") }
            var start = clock.now
            var found = 0
            for id in ids where state.bets[id] != nil { found += 1 }
            reference.append(clock.now - start)

            start = clock.now
            guard case .success(let events) = round.decide(.tick(at: instant), state: state, secret: secret) else {
                throw UsageError("the bench round refused its tick")
            }
            decide.append(clock.now - start)
            start = clock.now
            for event in events { round.apply(event, to: &state) }
            apply.append(clock.now - start)

            start = clock.now
            let made = Records.make(events, table: table.table, topics: topics, stamp: stamp)
            encode.append(clock.now - start)
            start = clock.now
            var decoded: [RoundEvent] = []
            decoded.reserveCapacity(events.count)
            for record in made { decoded += try RoundEvent.decodeRecord(json: record.value).events }
            decode.append(clock.now - start)

            let cashedOut = events.filter { if case .cashedOut = $0 { true } else { false } }.count
            guard decoded == events, cashedOut == bets / 2, found == ids.count else {
                printError("ascent bench burst: \(cashedOut) cash-outs for \(bets / 2) auto bets; decoded \(decoded == events ? "equal" : "different")")
                return 1
            }
            (cashOuts, records, bytes) = (cashedOut, made.count, made.reduce(0) { $0 + $1.value.count })
        }
        func median(_ values: [Duration]) -> String {
            let sorted = values.sorted()
            return String(format: "%8.2f ms", BenchAuditCommand.seconds(sorted[sorted.count / 2]) * 1_000)
        }
        print("burst benchmark: \(bets) bets, \(cashOuts) auto cash-outs at \(target) at one instant; median of \(repetitions)")
        print("decide     \(median(decide))   the tick's decision")
        print("apply      \(median(apply))   onto the round's state")
        print("encode     \(median(encode))   into \(records) records, \(bytes / 1_000) kB")
        print("decode     \(median(decode))   back into the same events")
        print("reference  \(median(reference))   one look-up per cash-out in the round's bets (same run)")
        return 0
    }
}
