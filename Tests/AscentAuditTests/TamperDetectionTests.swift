import AscentAudit
import Foundation
import Testing

/// Each tampered copy of the golden log is caught with exactly the expected findings, each naming
/// the record that was edited.
@Suite struct TamperDetectionTests {
    @Test(arguments: TamperedLogs.all)
    func tamperIsCaughtAtTheEditedRecord(_ tamper: Tamper) throws {
        let (edited, expected) = tamper.edit(try GoldenLog.load("clean.jsonl"))
        let committed = try GoldenLog.load("tampered-\(tamper.name).jsonl")
        #expect(committed == edited, "Fixtures/tampered-\(tamper.name).jsonl is not the edit of clean.jsonl: regenerate")
        let report = GoldenLog.audit(committed)
        let found = report.findings.map { Tamper.Expected(kind: $0.kind, position: $0.position) }
        #expect(found == expected, "\(tamper.name): expected \(expected), found:\n\(report.findings.map(\.description).joined(separator: "\n"))")
        #expect(report.summary.findings == expected.count)
        for finding in report.findings { #expect(!finding.message.isEmpty) }
    }
}
