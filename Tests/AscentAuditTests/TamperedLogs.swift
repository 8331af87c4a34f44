import AscentAudit
import AscentCore
import AscentFairness
import Foundation

/// Tampered copies of the golden log, each a small deterministic edit of Fixtures/clean.jsonl, with
/// the findings the audit must report: their kind and the exact record. The copies are committed
/// as Fixtures/tampered-<name>.jsonl (regenerated with the clean fixture).
struct Tamper: Sendable, CustomStringConvertible {
    /// The file's name part and what was done.
    let name: String
    /// What the edit does to the clean log: the edited lines (offsets renumbered) and the findings expected.
    let edit: @Sendable ([LogLine]) -> (lines: [LogLine], expected: [Expected])

    var description: String { name }

    /// A finding the audit must report.
    struct Expected: Hashable, CustomStringConvertible {
        var kind: AuditFindingKind
        var position: AuditPosition?
        var description: String { "\(kind.rawValue) at \(position?.description ?? "-")" }
    }
}

enum TamperedLogs {
    static let all: [Tamper] = [
        // The operator logs a higher crash point than the seed gives.
        Tamper(name: "crash-point") { lines in
            var lines = lines
            let index = find(lines, type: "crashed") { integer($0, "crashPointHundredths") >= 200 }
            let point = integer(lines[index], "crashPointHundredths")
            lines[index] = replace(lines[index], "\"crashPointHundredths\":\(point)", "\"crashPointHundredths\":\(point + 111)")
            return (lines, [.init(kind: .crashPointMismatch, position: position(lines[index]))])
        },
        // A revealed seed that does not hash to the round's commitment (the previous link).
        Tamper(name: "seed") { lines in
            var lines = lines
            let index = find(lines, type: "crashed") { integer($0, "round") >= 3 }
            let seed = string(lines[index], "seed")
            lines[index] = replace(lines[index], seed, SHA256.hash(utf8: "a forged seed").hex)
            return (lines, [.init(kind: .seedDoesNotProveCommitment, position: position(lines[index]))])
        },
        // A commitment that is not the previous round's seed: the chain breaks there, the round's
        // seed no longer proves it, and the next round cannot link to it.
        Tamper(name: "commitment") { lines in
            var lines = lines
            let round = integer(lines[find(lines, type: "crashed") { integer($0, "round") >= 4 }], "round")
            let opened = find(lines, type: "roundOpened") { integer($0, "round") == round }
            lines[opened] = replace(lines[opened], string(lines[opened], "commitment"), SHA256.hash(utf8: "a forged commitment").hex)
            let crashed = find(lines, type: "crashed") { integer($0, "round") == round }
            let next = find(lines, type: "roundOpened") { integer($0, "round") == round + 1 }
            return (lines, [.init(kind: .brokenChain, position: position(lines[opened])),
                            .init(kind: .seedDoesNotProveCommitment, position: position(lines[crashed])),
                            .init(kind: .brokenChain, position: position(lines[next]))])
        },
        // A payout above floor(stake × multiplier), paid by the wallet and counted in the round's totals too.
        Tamper(name: "payout-above-rule") { lines in
            var lines = lines
            let index = find(lines, type: "cashedOut") { string($0, "reason") == "manual" }
            let bet = string(lines[index], "betId"), payout = integer(lines[index], "payoutMinor")
            lines[index] = replace(lines[index], "\"payoutMinor\":\(payout)", "\"payoutMinor\":\(payout + 100)")
            let settled = find(lines, type: "betSettled") { string($0, "betId") == bet }
            lines[settled] = replace(lines[settled], "\"payoutMinor\":\(payout)", "\"payoutMinor\":\(payout + 100)")
            let round = integer(lines[index], "round")
            let totals = find(lines, type: "roundSettled") { integer($0, "round") == round }
            let total = integer(lines[totals], "totalPayoutMinor")
            lines[totals] = replace(lines[totals], "\"totalPayoutMinor\":\(total)", "\"totalPayoutMinor\":\(total + 100)")
            return (lines, [.init(kind: .payoutNotByRule, position: position(lines[index]))])
        },
        // The same cash-out logged twice.
        Tamper(name: "paid-twice") { lines in
            var lines = lines
            let index = find(lines, type: "cashedOut") { _ in true }
            lines.insert(lines[index], at: index + 1)
            lines = renumber(lines)
            return (lines, [.init(kind: .betPaidTwice, position: position(lines[index + 1]))])
        },
        // The wallet credits the same settlement twice.
        Tamper(name: "wallet-paid-twice") { lines in
            var lines = lines
            let index = find(lines, type: "betSettled") { integer($0, "payoutMinor") > 0 }
            lines.insert(lines[index], at: index + 1)
            lines = renumber(lines)
            // The copy spends the stake a second time (held money goes negative) and credits the payout
            // again: held stakes and the house result no longer match the bets.
            return (lines, [.init(kind: .negativeBalance, position: position(lines[index + 1])),
                            .init(kind: .settlementWithoutReservation, position: position(lines[index + 1])),
                            .init(kind: .moneyNotConserved, position: nil), .init(kind: .moneyNotConserved, position: nil)])
        },
        // A manual cash-out sequenced after the crash.
        Tamper(name: "cash-out-after-crash") { lines in
            var lines = lines
            let index = find(lines, type: "cashedOut") { string($0, "reason") == "manual" }
            let round = integer(lines[index], "round")
            let moved = lines.remove(at: index)
            let crashed = find(lines, type: "crashed") { integer($0, "round") == round }
            lines.insert(moved, at: crashed + 1)
            lines = renumber(lines)
            return (lines, [.init(kind: .cashOutAfterCrash, position: position(lines[crashed + 1]))])
        },
        // A bet accepted after betting closed.
        Tamper(name: "bet-after-close") { lines in
            var lines = lines
            let index = find(lines, type: "betPlaced") { integer($0, "round") >= 2 }
            let round = integer(lines[index], "round")
            let moved = lines.remove(at: index)
            let closed = find(lines, type: "bettingClosed") { integer($0, "round") == round }
            lines.insert(moved, at: closed + 1)
            lines = renumber(lines)
            return (lines, [.init(kind: .betAfterBettingClosed, position: position(lines[closed + 1]))])
        },
        // A bet whose stake was never reserved (and so never settled on the wallet).
        Tamper(name: "stake-never-reserved") { lines in
            var lines = lines
            let placed = find(lines, type: "betPlaced") { integer($0, "round") >= 2 }
            let bet = string(lines[placed], "betId")
            let placedLine = lines[placed]
            lines.removeAll { line in
                let type = string(line, "type")
                return (type == "stakeReserved" || type == "betSettled" || type == "stakeReleased") && string(line, "betId") == bet
            }
            lines = renumber(lines)
            let index = lines.firstIndex { $0.value == placedLine.value }!
            return (lines, [.init(kind: .stakeNeverReserved, position: position(lines[index]))])
        },
    ]

    /// Writes every tampered copy next to the clean fixture.
    static func writeAll() {
        let clean = GoldenLog.generate()
        for tamper in all {
            let path = GoldenLog.fixturesDirectory + "/tampered-\(tamper.name).jsonl"
            try! GoldenLog.text(tamper.edit(clean).lines).write(to: URL(fileURLWithPath: path))
        }
    }

    // MARK: editing lines

    static func position(_ line: LogLine) -> AuditPosition {
        AuditPosition(topic: line.topic, partition: line.partition, offset: line.offset)
    }

    /// The index of the first line of event `type` that satisfies `predicate`.
    static func find(_ lines: [LogLine], type: String, where predicate: (LogLine) -> Bool) -> Int {
        guard let index = lines.firstIndex(where: { string($0, "type") == type && predicate($0) }) else {
            preconditionFailure("the golden log has no \(type) that fits the tamper")
        }
        return index
    }

    static func member(_ line: LogLine, _ name: String) -> JSONValue? {
        guard let value = try? JSONValue.parse(line.value) else { return nil }
        return value[name]
    }

    static func string(_ line: LogLine, _ name: String) -> String {
        if case .string(let text)? = member(line, name) { return text }
        return ""
    }

    static func integer(_ line: LogLine, _ name: String) -> Int64 {
        if case .integer(let value)? = member(line, name) { return value }
        return Int64.min
    }

    /// `line` with `old` (which must occur exactly once in its value) replaced by `new`.
    static func replace(_ line: LogLine, _ old: String, _ new: String) -> LogLine {
        let text = String(decoding: line.value, as: UTF8.self)
        precondition(text.components(separatedBy: old).count == 2, "'\(old)' must occur once in \(text)")
        var edited = line
        edited.value = Array(text.replacingOccurrences(of: old, with: new).utf8)
        return edited
    }

    /// Offsets renumbered in file order per partition, as the log would have given them.
    static func renumber(_ lines: [LogLine]) -> [LogLine] {
        var next: [String: Int64] = [:]
        return lines.map { line in
            var line = line
            let key = "\(line.topic)/\(line.partition)"
            line.offset = next[key, default: 0]
            next[key] = line.offset + 1
            return line
        }
    }
}
