import AscentRuntime
import Foundation
import Glibc
import Synchronization
import Testing

@Suite struct JSONLoggerTests {
    @Test func writesOneParsableJSONObjectPerLineWithFixedFieldsFirst() throws {
        let file = TemporaryFile()
        let logger = JSONLogger(component: "authority", minimumLevel: .debug, fileDescriptor: file.fd)
        logger.info("round crashed", ["table": "main", "round": 12, "multiplier": 2.5, "auto": true])
        let text = file.contents()
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        try #require(lines.count == 1)
        #expect(lines[0].hasPrefix("{\"ts\":\""))
        #expect(lines[0].contains("\",\"level\":\"info\",\"component\":\"authority\",\"msg\":\"round crashed\",\"auto\":true,\"multiplier\":2.5,\"round\":12,\"table\":\"main\"}"))
        let object = try #require(parseJSONObject(lines[0]))
        #expect(object["round"] as? Int == 12)
        #expect(object["table"] as? String == "main")
        let ts = try #require(object["ts"] as? String)
        #expect(ts.count == 24 && ts.hasSuffix("Z") && ts.dropFirst(10).first == "T", "timestamp \(ts)")
    }

    @Test func escapesQuotesNewlinesAndControlCharacters() throws {
        let file = TemporaryFile()
        let logger = JSONLogger(component: "edge", minimumLevel: .debug, fileDescriptor: file.fd)
        let nasty = "quote \" backslash \\ newline \n return \r tab \t bell \u{07} nul \u{00} del \u{7F} sep \u{2028} é 🚀"
        logger.warning(nasty, ["key \"with\" quotes\n": .string(nasty)])
        let text = file.contents()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "exactly one line: \(text)")
        #expect(text.contains("\\u0007") && text.contains("\\u0000") && text.contains("\\u007f") && text.contains("\\u2028"))
        let object = try #require(parseJSONObject(lines[0]), "not JSON: \(lines[0])")
        #expect(object["msg"] as? String == nasty)
        #expect(object["key \"with\" quotes\n"] as? String == nasty)
    }

    @Test func fieldsNamedLikeFixedOnesAreRenamedNotDuplicated() throws {
        let file = TemporaryFile()
        let logger = JSONLogger(component: "wallet", minimumLevel: .debug, fileDescriptor: file.fd).with(["table": "main"])
        logger.error("failed", ["msg": "inner", "level": 3, "table": "side", "nan": .double(.nan)])
        let line = file.contents().split(separator: "\n")[0]
        let object = try #require(parseJSONObject(line))
        #expect(object["msg"] as? String == "failed")
        #expect(object["_msg"] as? String == "inner")
        #expect(object["level"] as? String == "error")
        #expect(object["_level"] as? Int == 3)
        #expect(object["table"] as? String == "side", "a call's field overrides the logger's")
        #expect(object["nan"] as? String == "NaN")
    }

    @Test func filteredLevelsAreDroppedWithoutBuildingTheMessage() {
        let file = TemporaryFile()
        let logger = JSONLogger(component: "projector", minimumLevel: .warning, fileDescriptor: file.fd)
        let built = Atomic<Int>(0)
        func expensive() -> String {
            built.add(1, ordering: .relaxed)
            return "expensive"
        }
        logger.debug(expensive())
        logger.info(expensive(), ["n": .int(built.load(ordering: .relaxed))])
        #expect(built.load(ordering: .relaxed) == 0)
        #expect(file.contents().isEmpty)
        #expect(!logger.isEnabled(.info) && logger.isEnabled(.error))
        logger.warning(expensive())
        #expect(built.load(ordering: .relaxed) == 1)
        #expect(file.contents().split(separator: "\n").count == 1)
    }

    @Test func linesFromManyThreadsNeverInterleave() throws {
        // A pipe with lines longer than PIPE_BUF (4096): the kernel may split such writes when the
        // pipe fills, so only the logger's own serialisation keeps lines whole.
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let received = Mutex<[UInt8]>([])
        let threads = 8
        let perThread = 200
        let padding = String(repeating: "x", count: 6000)
        let finishedWriters = Atomic<Int>(0)
        let logger = JSONLogger(component: "settlement", minimumLevel: .debug, fileDescriptor: writeEnd)
        runOnThreads(threads + 1) { thread in
            if thread == threads {
                // The reader: drains the pipe until every writer is done and the write end closed.
                var chunk = [UInt8](repeating: 0, count: 1000)
                while true {
                    let count = read(readEnd, &chunk, chunk.count)
                    if count <= 0 { break }
                    received.withLock { $0.append(contentsOf: chunk[0..<count]) }
                }
                return
            }
            for index in 0..<perThread {
                logger.info("line", ["thread": .int(thread), "index": .int(index), "padding": .string(padding)])
            }
            // The last writer out closes the write end, which ends the reader.
            if finishedWriters.add(1, ordering: .acquiringAndReleasing).newValue == threads {
                close(writeEnd)
            }
        }
        let text = received.withLock { String(decoding: $0, as: UTF8.self) }
        close(readEnd)
        let lines = text.split(separator: "\n")
        #expect(lines.count == threads * perThread)
        var seen = Set<Int>()
        for line in lines {
            guard let object = parseJSONObject(line), let thread = object["thread"] as? Int,
                  let index = object["index"] as? Int
            else {
                Issue.record("interleaved or broken line (\(line.utf8.count) bytes): \(line.prefix(100))...")
                return
            }
            seen.insert(thread * perThread + index)
        }
        #expect(seen.count == threads * perThread)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(JSONLogger.timestamp(millisecondsSinceEpoch: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogger.timestamp(millisecondsSinceEpoch: -1) == "1969-12-31T23:59:59.999Z")
        #expect(JSONLogger.timestamp(millisecondsSinceEpoch: 1_796_317_200_123) == "2026-12-03T17:00:00.123Z")
        #expect(JSONLogger.timestamp(millisecondsSinceEpoch: 1_709_251_199_999) == "2024-02-29T23:59:59.999Z")
        #expect(JSONLogger.timestamp(millisecondsSinceEpoch: 951_868_800_000) == "2000-03-01T00:00:00.000Z")
    }

    @Test func levelNamesParse() {
        #expect(LogLevel(name: "DEBUG") == .debug)
        #expect(LogLevel(name: "warn") == .warning)
        #expect(LogLevel(name: "error") == .error)
        #expect(LogLevel(name: "loud") == nil)
        #expect(LogLevel.debug < LogLevel.info && LogLevel.warning < LogLevel.error)
    }

    @Test func oversizedStringsAreCutSoALineStaysBounded() throws {
        let file = TemporaryFile()
        let logger = JSONLogger(component: "edge", minimumLevel: .debug, fileDescriptor: file.fd)
        // An odd offset puts the cut inside a two-byte "é": it must back up to a whole character.
        logger.info("a" + String(repeating: "é", count: 100_000))
        let line = file.contents().split(separator: "\n")[0]
        #expect(line.utf8.count < 9000)
        let object = try #require(parseJSONObject(line))
        #expect((object["msg"] as? String)?.hasSuffix("...(truncated)") == true)
    }

    @Test func minimumLevelComesFromTheEnvironment() async {
        // In a child process, so the variable cannot leak into other tests.
        await #expect(processExitsWith: .success) {
            setenv("ASCENT_LOG_LEVEL", "error", 1)
            guard JSONLogger(component: "x", fileDescriptor: -1).minimumLevel == .error else { exit(1) }
            setenv("ASCENT_LOG_LEVEL", "Warn", 1)
            guard JSONLogger(component: "x", fileDescriptor: -1).minimumLevel == .warning else { exit(1) }
            setenv("ASCENT_LOG_LEVEL", "nonsense", 1)
            guard JSONLogger(component: "x", fileDescriptor: -1).minimumLevel == .info else { exit(1) }
            unsetenv("ASCENT_LOG_LEVEL")
            guard JSONLogger(component: "x", fileDescriptor: -1).minimumLevel == .info else { exit(1) }
            exit(0)
        }
    }
}
