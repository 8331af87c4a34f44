import AscentRuntime
import Foundation
import Testing

@Suite struct ThreadExecutorTests {
    /// The thread serving the task, as the kernel names it.
    private static func threadName() -> String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// A task that prefers the executor runs on its thread, before and after suspending, and so do
    /// its child tasks; jobs from many tasks at once all run.
    @Test func tasksThatPreferItRunOnItsOwnThread() async throws {
        let executor = ThreadExecutor(name: "exec-test")
        let names = await Task(executorPreference: executor) { () -> [String] in
            var names = [Self.threadName()]
            try? await Task.sleep(for: .milliseconds(5))
            names.append(Self.threadName())
            names += await withTaskGroup(of: String.self) { group in
                for _ in 0..<200 { group.addTask { Self.threadName() } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            return names
        }.value
        #expect(names.count == 202)
        #expect(Set(names) == ["exec-test"], "\(Set(names))")
        #expect(Self.threadName() != "exec-test", "the test itself runs elsewhere")
    }
}
