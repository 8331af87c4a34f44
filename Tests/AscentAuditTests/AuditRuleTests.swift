import AscentAudit
import AscentCore
import Testing

/// Rule by rule: an edit of the clean golden log that breaks one rule gives exactly that finding at
/// the edited record; the audit does not depend on how partitions interleave; ranges and a missing
/// salt behave as documented.
@Suite struct AuditRuleTests {
    typealias Expected = Tamper.Expected

    static func edited(_ type: String, where predicate: (LogLine) -> Bool, _ change: (LogLine) -> LogLine) throws -> ([LogLine], AuditPosition) {
        var lines = try GoldenLog.load("clean.jsonl")
        let index = TamperedLogs.find(lines, type: type, where: predicate)
        lines[index] = change(lines[index])
        return (lines, TamperedLogs.position(lines[index]))
    }

    static func found(_ lines: [LogLine], _ configuration: AuditConfiguration = GoldenLog.configuration) -> [Expected] {
        GoldenLog.audit(lines, configuration: configuration).findings.map { Expected(kind: $0.kind, position: $0.position) }
    }

    static func shiftAt(_ line: LogLine, by milliseconds: Int64) -> LogLine {
        let at = TamperedLogs.integer(line, "at")
        return TamperedLogs.replace(line, "\"at\":\(at)", "\"at\":\(at + milliseconds)")
    }

    @Test func manualCashOutOffTheCurve() throws {
        // A second earlier the curve showed less than the multiplier paid.
        let (lines, position) = try Self.edited("cashedOut", where: { TamperedLogs.string($0, "reason") == "manual" && TamperedLogs.integer($0, "multiplierHundredths") > 150 }) {
            Self.shiftAt($0, by: -1_000)
        }
        #expect(Self.found(lines) == [Expected(kind: .cashOutNotOnCurve, position: position)])
    }

    @Test func autoCashOutAtTheWrongInstant() throws {
        let (lines, position) = try Self.edited("cashedOut", where: { TamperedLogs.string($0, "reason") == "auto" }) { Self.shiftAt($0, by: 1) }
        #expect(Self.found(lines) == [Expected(kind: .cashOutWrongTrigger, position: position)])
    }

    @Test func maximumWinAtTheWrongMultiplier() throws {
        let (lines, position) = try Self.edited("cashedOut", where: { TamperedLogs.string($0, "reason") == "maximumWin" }) {
            let multiplier = TamperedLogs.integer($0, "multiplierHundredths")
            return TamperedLogs.replace($0, "\"multiplierHundredths\":\(multiplier)", "\"multiplierHundredths\":\(multiplier + 1)")
        }
        #expect(Self.found(lines) == [Expected(kind: .cashOutWrongTrigger, position: position)])
    }

    @Test func tickOffTheCurve() throws {
        let (lines, position) = try Self.edited("ticked", where: { TamperedLogs.integer($0, "multiplierHundredths") > 120 }) {
            let multiplier = TamperedLogs.integer($0, "multiplierHundredths")
            return TamperedLogs.replace($0, "\"multiplierHundredths\":\(multiplier)", "\"multiplierHundredths\":\(multiplier + 5)")
        }
        #expect(Self.found(lines) == [Expected(kind: .tickNotOnCurve, position: position)])
    }

    @Test func crashAtTheWrongInstant() throws {
        let (lines, position) = try Self.edited("crashed", where: { TamperedLogs.integer($0, "crashPointHundredths") > 100 }) { Self.shiftAt($0, by: 1) }
        #expect(Self.found(lines) == [Expected(kind: .crashInstantMismatch, position: position)])
    }

    @Test func undecodableRecordIsReportedNotSkippedSilently() throws {
        let (lines, position) = try Self.edited("ticked", where: { _ in true }) { line in
            var line = line
            line.value = Array("{\"type\":\"ticked\",\"table\":\"main\"}".utf8)
            return line
        }
        let found = Self.found(lines)
        #expect(found == [Expected(kind: .undecodable, position: position)])
    }

    @Test func aLateReservationForAnEarlierRoundIsRefusedCleanly() throws {
        // The late bet's reservation, refusal and release say it was for the previous round (it
        // reached the authority after that round ended): a legitimate refusal, not a finding.
        var lines = try GoldenLog.load("clean.jsonl")
        let rejection = lines[TamperedLogs.find(lines, type: "betRejected") { TamperedLogs.integer($0, "round") >= 2 }]
        let bet = TamperedLogs.string(rejection, "betId"), round = TamperedLogs.integer(rejection, "round")
        for index in lines.indices where TamperedLogs.string(lines[index], "betId") == bet {
            lines[index] = TamperedLogs.replace(lines[index], "\"round\":\(round)", "\"round\":\(round - 1)")
        }
        let report = GoldenLog.audit(lines)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.description))")
        #expect(report.summary.betsRejected == GoldenLog.audit(try GoldenLog.load("clean.jsonl")).summary.betsRejected)
    }

    @Test func wrongTerminatingHashBreaksRoundOne() throws {
        let lines = try GoldenLog.load("clean.jsonl")
        var configuration = GoldenLog.configuration
        configuration.defaultRules.terminatingHash = String(repeating: "ab", count: 32)
        let opened = lines[TamperedLogs.find(lines, type: "roundOpened") { TamperedLogs.integer($0, "round") == 1 }]
        #expect(Self.found(lines, configuration) == [Expected(kind: .brokenChain, position: TamperedLogs.position(opened))])
    }

    @Test func withoutTheSaltCrashPointsAreNotRecomputedAndSaySo() throws {
        var configuration = GoldenLog.configuration
        configuration.defaultRules.salt = nil
        let report = GoldenLog.audit(try GoldenLog.load("clean.jsonl"), configuration: configuration)
        #expect(report.findings.isEmpty)
        #expect(report.summary.crashPointsNotRecomputed == report.summary.roundsCrashed)
        #expect(report.text(source: "test").contains("NOT recomputed"))
        // Even without the salt a changed crash point shows: the crash instant no longer fits it.
        let tampered = try GoldenLog.load("tampered-crash-point.jsonl")
        let crashed = TamperedLogs.find(tampered, type: "crashed") { TamperedLogs.integer($0, "crashPointHundredths") >= 200 }
        #expect(Self.found(tampered, configuration) == [Expected(kind: .crashInstantMismatch, position: TamperedLogs.position(tampered[crashed]))])
    }

    @Test func aRangeChecksOnlyItsRounds() throws {
        var configuration = GoldenLog.configuration
        configuration.rounds = 5...8
        let clean = GoldenLog.audit(try GoldenLog.load("clean.jsonl"), configuration: configuration)
        #expect(clean.findings.isEmpty, "\(clean.findings)")
        #expect(clean.summary.rounds == 4)
        // The tampered round is outside 5...8 in one range and inside another.
        let tampered = try GoldenLog.load("tampered-crash-point.jsonl")
        let round = TamperedLogs.integer(tampered[TamperedLogs.find(tampered, type: "crashed") { TamperedLogs.integer($0, "crashPointHundredths") >= 200 }], "round")
        configuration.rounds = (round + 1)...(round + 3)
        #expect(Self.found(tampered, configuration).isEmpty)
        configuration.rounds = round...round
        #expect(Self.found(tampered, configuration).map(\.kind) == [.crashPointMismatch])
    }

    @Test func reportJSONIsValidAndCarriesTheFindings() throws {
        let report = GoldenLog.audit(try GoldenLog.load("tampered-paid-twice.jsonl"))
        let json = try JSONValue.parse(report.json())
        #expect(json["clean"] == .bool(false))
        guard case .array(let findings)? = json["findings"] else { Issue.record("no findings array"); return }
        #expect(findings.count == 1)
        #expect(findings.first?["kind"] == .string("betPaidTwice"))
        #expect(json["summary"]?["mismatches"] == .integer(1))
    }

    /// Any interleaving of the partitions that keeps each partition's order is a valid reading
    /// order (consumers see exactly that), and the clean log stays clean under every one.
    @Test(arguments: [UInt64(1), 2, 3, 42, 20_261_203])
    func cleanUnderAnyInterleavingOfPartitions(seed: UInt64) throws {
        let lines = try GoldenLog.load("clean.jsonl")
        var queues: [String: [LogLine]] = [:]
        var order: [String] = []
        for line in lines {
            let key = "\(line.topic)/\(line.partition)"
            if queues[key] == nil { order.append(key) }
            queues[key, default: []].append(line)
        }
        var rng = SplitMix64(seed: seed)
        var heads = Dictionary(uniqueKeysWithValues: order.map { ($0, 0) })
        var shuffled: [LogLine] = []
        while shuffled.count < lines.count {
            let open = order.filter { heads[$0]! < queues[$0]!.count }
            let key = open[Int(rng.next() % UInt64(open.count))]
            // Runs of up to 200 records from one partition, as a poll returns them.
            let run = 1 + Int(rng.next() % 200)
            let start = heads[key]!, end = min(start + run, queues[key]!.count)
            shuffled += queues[key]![start..<end]
            heads[key] = end
        }
        let report = GoldenLog.audit(shuffled)
        #expect(report.findings.isEmpty, "seed \(seed): \(report.findings.map(\.description))")
        #expect(report.summary.rounds == GoldenLog.parameters.rounds, "seed \(seed)")
    }
}
