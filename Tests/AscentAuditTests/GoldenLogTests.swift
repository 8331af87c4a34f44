import AscentAudit
import AscentCore
import Foundation
import Testing

/// The committed golden log is what the generator produces, and it passes the audit.
@Suite struct GoldenLogTests {
    @Test func fixtureIsWhatTheGeneratorProduces() throws {
        let generated = GoldenLog.generate()
        let path = GoldenLog.fixturesDirectory + "/clean.jsonl"
        if ProcessInfo.processInfo.environment["ASCENT_REGENERATE_FIXTURES"] == "1" {
            try GoldenLog.text(generated).write(to: URL(fileURLWithPath: path))
            TamperedLogs.writeAll()
        }
        let committed = try GoldenLog.load("clean.jsonl")
        #expect(committed.count == generated.count, "the fixture has \(committed.count) records, the generator \(generated.count)")
        for (index, (file, fresh)) in zip(committed, generated).enumerated() where file != fresh {
            Issue.record("line \(index + 1) of clean.jsonl differs from the generator: regenerate deliberately or fix the change")
            break
        }
    }

    @Test func cleanLogPasses() throws {
        let report = GoldenLog.audit(try GoldenLog.load("clean.jsonl"))
        #expect(report.findings.isEmpty, "\(report.findings.map(\.description).joined(separator: "\n"))")
        let summary = report.summary
        #expect(summary.rounds == GoldenLog.parameters.rounds)
        #expect(summary.openRounds == 0)
        #expect(summary.roundsVoided >= 1, "the golden log should hold a voided round")
        #expect(summary.betsCashedOut > 0 && summary.betsLost > 0 && summary.betsCancelled > 0 && summary.betsRejected > 0)
        #expect(summary.crashPointsNotRecomputed == 0)
        let eur = try #require(summary.currencies["EUR"])
        #expect(eur.imbalanceMinor == 0)
        #expect(eur.houseResultFromRoundsMinor == eur.houseResultFromWalletMinor)
    }
}
