import Foundation
import Testing

/// The `ascent` executable as a user runs it: output, errors and exit statuses.
@Suite struct CommandLineTests {
    /// The built executable: the release one when the tests run in release mode, else debug.
    static let executable: String = {
        var root = #filePath
        for _ in 0..<3 { root = String(root[..<root.lastIndex(of: "/")!]) }
        let candidates = ["\(root)/.build/release/ascent", "\(root)/.build/debug/ascent"]
        let ownPath = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let preferred = ownPath.contains("/release/") ? candidates : candidates.reversed()
        return preferred.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func verifyReproducesBustabitsDevelopmentChain() throws {
        let result = try Self.run(["verify", "--scheme", "bustabit-v1", "--hash",
                                   "c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d", "--count", "6"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["2.96x", "2.15x", "3.84x", "1.02x", "1.24x", "1.37x"])
        #expect(lines.first?.hasPrefix("c1cfa8e28fc38999eaa888487e443bad50a65e0b710f649affa6718cfbfada4d ") == true)
    }

    @Test func badArgumentsExitWithStatusTwoAndSayWhy() throws {
        let cases: [([String], String)] = [
            (["verify", "--scheme", "nope", "--hash", String(repeating: "a", count: 64)], "scheme"),
            (["verify", "--scheme", "bustabit-v1", "--hash", "xyz"], "hash"),
            (["verify", "--scheme", "bustabit-v1", "--hash", String(repeating: "a", count: 64), "--count", "0"], "--count"),
            (["verify", "--scheme", "ascent", "--hash", String(repeating: "a", count: 64)], "salt"),
            (["verify", "--scheme", "bustabit-v1", "--hash", String(repeating: "a", count: 64), "--bogus"], "unknown option --bogus"),
            (["frobnicate"], "unknown command"),
            (["simulate", "--rounds", "-5"], "--rounds"),
        ]
        for (arguments, expected) in cases {
            let result = try Self.run(arguments)
            #expect(result.status == 2, "\(arguments) exited \(result.status)")
            #expect(result.error.contains(expected), "\(arguments): \(result.error)")
        }
    }

    @Test func everyCommandHasHelp() throws {
        let overview = try Self.run(["--help"])
        #expect(overview.status == 0)
        let names = overview.output.split(separator: "\n").drop { !$0.hasPrefix("commands:") }.dropFirst()
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names.contains("verify") && names.contains("up") && names.contains("simulate"))
        for name in names {
            let help = try Self.run([name, "--help"])
            #expect(help.status == 0 && help.output.contains("usage: ascent \(name)"), "\(name) --help")
        }
    }

    /// The burst benchmark runs the real decider and codec (it exits 1 if the records do not decode
    /// back to the decided events) and prints each step next to its reference.
    @Test func burstBenchmarkPrintsEachStepAndItsReference() throws {
        let result = try Self.run(["bench", "burst", "--bets", "400", "--repeat", "2"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "burst benchmark: 400 bets, 200 auto cash-outs at 1.50x at one instant; median of 2")
        #expect(lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) } == ["decide", "apply", "encode", "decode", "reference"])
        #expect(lines.contains { $0.hasPrefix("encode") && $0.contains("into 2 records") }, "the tick, and one batch record for 200 cash-outs")
        #expect(try Self.run(["bench", "burst", "--bets", "1"]).status == 2)
    }

    @Test func simulatePrintsRoundsWhoseProofsVerify() throws {
        let result = try Self.run(["simulate", "--rounds", "5", "--pause-ms", "0", "--seed", "3"])
        #expect(result.status == 0, "\(result.error)")
        let rounds = result.output.split(separator: "\n").filter { $0.hasPrefix("round") }
        #expect(rounds.count == 5)
        #expect(rounds.allSatisfy { $0.contains("✓ sha256(seed)=commitment") && $0.contains("✓ crash=hmac(salt,seed)") })
        // The last round's seed walks back through the chain to the earlier rounds' crash points.
        let seed = String(rounds.last!.split(separator: " ").drop { $0 != "seed" }.dropFirst().first!)
        let verified = try Self.run(["verify", "--scheme", "ascent", "--hash", seed, "--salt", "ascent-demo-salt-0000000000000000000a1b2c3d", "--count", "5"])
        let crashes = verified.output.split(separator: "\n").map { String($0.split(separator: " ").last!) }
        let printed = rounds.reversed().map { line in String(line.split(separator: " ").drop { $0 != "crash" }.dropFirst().first!) }
        #expect(crashes == printed, "verify must recompute the crash points simulate printed")
    }
}
