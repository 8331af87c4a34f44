import AscentAudit
import AscentCore
import AscentFairness
import Foundation
import Testing

/// The golden log: a clean log played by the real deciders with a fixed chain (terminal seed 32
/// bytes of 0x42), a fixed salt and seeded players, committed as Fixtures/clean.jsonl. Regenerate it
/// with `ASCENT_REGENERATE_FIXTURES=1 swift test --filter GoldenLogTests` after a deliberate change
/// of the event formats or the generator; the test fails whenever the file and the generator differ.
enum GoldenLog {
    static let salt = "ascent-golden-salt-0001"
    static let terminalSeed = Bytes32(Array(repeating: 0x42, count: 32))!

    static let table = TableConfig(table: "main", currency: Currency(code: "EUR")!, minimumStakeMinorUnits: 10,
                                   maximumStakeMinorUnits: 10_000, maximumWinMinorUnits: 20_000,
                                   tickIntervalMilliseconds: 500)

    static let parameters = SyntheticLog.Parameters(table: table, salt: salt, terminalSeed: terminalSeed, rounds: 24, players: 8,
                                                    seed: 20_261_203, voidEvery: 5)

    /// The audit configuration an outside auditor would use for the golden log.
    static var configuration: AuditConfiguration {
        AuditConfiguration(roundTopic: parameters.roundTopic, walletTopic: parameters.walletTopic,
                           defaultRules: AuditRules(config: table, salt: salt, terminatingHash: terminatingHash.hex))
    }

    static let terminatingHash = SeedChain.generate(terminalSeed: terminalSeed, length: parameters.rounds).terminatingHash

    /// The generator's lines, now.
    static func generate() -> [LogLine] {
        var lines: [LogLine] = []
        SyntheticLog.generate(parameters) { lines.append($0) }
        return lines
    }

    static let fixturesDirectory: String = {
        let path = #filePath
        return String(path[..<path.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    /// The committed fixture `name` (e.g. "clean.jsonl"), parsed.
    static func load(_ name: String) throws -> [LogLine] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/" + name))
        return try Array(data).split(separator: UInt8(ascii: "\n")).map { try LogLine(parsing: $0) }
    }

    /// The lines as the file holds them.
    static func text(_ lines: [LogLine]) -> Data {
        var bytes: [UInt8] = []
        for line in lines {
            bytes += line.text
            bytes.append(UInt8(ascii: "\n"))
        }
        return Data(bytes)
    }

    /// Audits `lines` in file order.
    static func audit(_ lines: [LogLine], configuration: AuditConfiguration = GoldenLog.configuration) -> AuditReport {
        var auditor = Auditor(configuration: configuration)
        for line in lines { auditor.consume(topic: line.topic, partition: line.partition, offset: line.offset, value: line.value) }
        return auditor.finish()
    }
}
