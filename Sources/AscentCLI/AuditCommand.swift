#if canImport(Glibc)
import Glibc
#endif
import AscentAudit
import AscentCore
import AscentLog
import AscentServices
import Foundation

/// `ascent audit`: rebuilds rounds from the log alone and checks the fairness proof, every cash-out
/// and payout, and the wallet side; exit status 1 on any mismatch.
struct AuditCommand: Subcommand {
    static let name = "audit"
    static let summary = "rebuild rounds from the log and check fairness, payouts and money (exit 1 on any mismatch)"
    static var help: String {
        """
        usage: ascent audit [--all | --from N --to M] [--json] [log options]
               ascent audit round --table T --round N [--json] [log options]

        Reads the round and wallet events from the log (PostgreSQL or Kafka, or a JSON-lines file),
        rebuilds every round with the pure round decider and checks: the crash point recomputed from
        the revealed seed and the salt; SHA-256(seed) = the round's commitment = the previous round's
        seed (round 1's = the published terminating hash); every cash-out against the curve, the
        crash and the auto targets; every payout = min(floor(stake × multiplier), maximum win); each
        bet accepted while betting was open, reserved on the wallet, settled exactly once on both
        sides; balances never negative and money conserved. Each mismatch names its record as
        topic[partition]@offset. docs/audit.md explains every check.

        `audit round` prints the rebuilt round and, when a database is given, compares it with the
        projection's rounds and bets rows, naming each column that differs.

          --all                 every round (the default)
          --from N --to M       only rounds N to M (the chain is still followed through all rounds)
          --round N             with `audit round`: the round to rebuild (at --table)
          --json                the report as JSON instead of text
          --file PATH           read a JSON-lines log (golden-log format) instead of --log/--database
          --terminating-hash H  the chain's published terminating hash: round 1's commitment must equal it
          --curve-rate R        the curve's rate per millisecond (default 0.00006)
          --max-findings N      findings listed (default 1000; all are counted)
        \(StackOptions.help)

        The salt is --salt, $ASCENT_SALT, or the one stored in the data directory; without it crash
        points are not recomputed (said in the report). Memory stays bounded: only open rounds,
        unmatched bets and per-player balances are kept. A progress bar is drawn when standard output
        is a terminal.

        examples:
          ascent audit --database "$ASCENT_DATABASE_URL" --terminating-hash 6a1f…
          ascent audit round --table main --round 1842 --database "$ASCENT_DATABASE_URL" --json
          ascent audit --file Tests/AscentAuditTests/Fixtures/clean.jsonl --salt ascent-golden-salt-0001 --max-win 20000 --max-stake 10000
        """
    }

    let roundOnly: Int64?
    let range: ClosedRange<Int64>?
    let json: Bool
    let file: String?
    let terminatingHash: String?
    let maximumFindings: Int
    let options: StackOptions
    let rules: AuditRules

    init(arguments: inout Arguments) throws {
        let roundMode = arguments.flag("round")
        let round = try arguments.integer("--round", in: 1...Int64.max)
        let all = arguments.flag("--all")
        let from = try arguments.integer("--from", in: 1...Int64.max)
        let to = try arguments.integer("--to", in: 1...Int64.max)
        json = arguments.flag("--json")
        file = try arguments.option("--file")
        terminatingHash = try arguments.option("--terminating-hash")
        let rate = try arguments.option("--curve-rate")
        maximumFindings = Int(try arguments.integer("--max-findings", in: 1...1_000_000) ?? 1_000)
        options = try StackOptions(arguments: &arguments)
        if roundMode {
            guard let round else { throw UsageError("audit round needs --round N (and --table T, default main)") }
            guard from == nil, to == nil, !all else { throw UsageError("audit round takes --round, not --from/--to/--all") }
            roundOnly = round
            range = round...round
        } else {
            guard round == nil else { throw UsageError("--round goes with `ascent audit round`") }
            roundOnly = nil
            switch (from, to) {
            case (nil, nil): range = nil
            case (let from?, let to?):
                guard !all else { throw UsageError("give --all or --from/--to, not both") }
                guard from <= to else { throw UsageError("--from \(from) is after --to \(to)") }
                range = from...to
            default: throw UsageError("--from and --to go together")
            }
        }
        if let terminatingHash, terminatingHash.utf8.count != 64 || !terminatingHash.allSatisfy(\.isHexDigit) {
            throw UsageError("--terminating-hash takes 64 hex digits")
        }
        var config = options.table
        if let rate {
            guard let value = Double(rate), value > 0, value.isFinite, value < 1 else { throw UsageError("--curve-rate takes a positive rate per ms, not '\(rate)'") }
            config.curve = GrowthCurve(ratePerMillisecond: value)
        }
        rules = AuditRules(config: config, salt: try Self.salt(options), terminatingHash: terminatingHash)
    }

    /// The salt given, or the one stored in the data directory (never created here).
    static func salt(_ options: StackOptions) throws -> String? {
        if let salt = options.salt { return salt }
        let path = "\(options.dataDirectory)/\(options.table.table.rawValue).salt"
        guard FileIO.exists(path) else { return nil }
        return String(decoding: try FileIO.readAll(path, limit: 4_096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run() async throws -> Int32 {
        let topics = options.topics
        let table = options.table.table
        let configuration = AuditConfiguration(roundTopic: topics.roundEvents, walletTopic: topics.walletEvents, defaultRules: rules,
                                               table: roundOnly == nil ? nil : table, rounds: range,
                                               keepRoundDetails: roundOnly != nil, maximumFindings: maximumFindings)
        var auditor = Auditor(configuration: configuration)
        let source: String
        if let file {
            source = file
            try AuditReading.readFile(file, into: &auditor, showProgress: !json)
        } else {
            let log = try options.makeLog()
            source = options.logURL.map { $0.hasPrefix("kafka://") ? $0 : "the PostgreSQL log" } ?? "the PostgreSQL log"
            do {
                try await AuditReading.readLog(log, topics: topics, onlyTable: roundOnly == nil ? nil : table.rawValue, into: &auditor, showProgress: !json)
            } catch {
                try? await log.shutdown()
                throw error
            }
            try await log.shutdown()
        }
        let report = auditor.finish()
        var differences: [String] = []
        if let round = roundOnly {
            guard let detail = report.rounds.first else {
                printError("ascent audit: round \(round) of table \(table) is not in the log (or has not ended)")
                if json { print(String(decoding: report.json(), as: UTF8.self)) }
                return 1
            }
            if let databaseURL = options.databaseURL {
                differences = try await ProjectionComparison.compare(detail, databaseURL: databaseURL)
            }
        }
        if json {
            var bytes = report.json()
            if roundOnly != nil {
                // One more member: the projection's differences, each naming the row and column.
                bytes.removeLast()
                bytes += Array(",\"projectionDifferences\":[".utf8)
                for (index, difference) in differences.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    JSONWriter.appendString(difference, to: &bytes)
                }
                bytes += Array("]}".utf8)
            }
            print(String(decoding: bytes, as: UTF8.self))
        } else {
            if let detail = report.rounds.first { print(detail.text) }
            print(report.text(source: source))
            if roundOnly != nil {
                if options.databaseURL == nil {
                    print("  projection   not compared (give --database)")
                } else if differences.isEmpty {
                    print("  projection   the rounds and bets rows match the log")
                } else {
                    print("  projection   \(differences.count) differences:")
                    for difference in differences { print("    ✗ \(difference)") }
                }
            }
        }
        return report.summary.isClean && differences.isEmpty ? 0 : 1
    }
}
