import AscentCLI
import Testing

/// `ascent audit` on the golden JSON-lines logs: exit 0 when clean, 1 on any mismatch, 2 on bad usage.
@Suite struct AuditCommandTests {
    static func arguments(_ fixture: String, terminatingHash: String = GoldenLog.terminatingHash.hex) -> [String] {
        ["audit", "--file", GoldenLog.fixturesDirectory + "/" + fixture, "--salt", GoldenLog.salt, "--max-win", "20000", "--max-stake", "10000",
         "--terminating-hash", terminatingHash, "--json"]
    }

    @Test func cleanLogExitsZero() async {
        #expect(await AscentMain.run(Self.arguments("clean.jsonl")) == 0)
        #expect(await AscentMain.run(Self.arguments("clean.jsonl") + ["--from", "3", "--to", "7"]) == 0)
        #expect(await AscentMain.run(["audit", "round", "--round", "9"] + Self.arguments("clean.jsonl").dropFirst()) == 0)
    }

    @Test(arguments: TamperedLogs.all.map(\.name))
    func tamperedLogExitsOne(_ name: String) async {
        #expect(await AscentMain.run(Self.arguments("tampered-\(name).jsonl")) == 1, "\(name)")
    }

    @Test func badUsageExitsTwo() async {
        #expect(await AscentMain.run(Self.arguments("clean.jsonl") + ["--from", "3"]) == 2)
        #expect(await AscentMain.run(["audit", "round"] + Self.arguments("clean.jsonl").dropFirst()) == 2)
        #expect(await AscentMain.run(Self.arguments("clean.jsonl", terminatingHash: "xyz")) == 2)
        // A well-formed but wrong terminating hash is a mismatch, not a usage error.
        #expect(await AscentMain.run(Self.arguments("clean.jsonl", terminatingHash: String(repeating: "0", count: 64))) == 1)
    }

    @Test func aRoundNotInTheLogExitsOne() async {
        #expect(await AscentMain.run(["audit", "round", "--round", "999"] + Self.arguments("clean.jsonl").dropFirst()) == 1)
    }
}
