import Foundation
import Glibc

/// Runs `body(index)` on `count` new OS threads at once and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Box {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        let context = Unmanaged.passRetained(Box { body(index) }).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed")
        threads.append(thread)
    }
    for thread in threads {
        pthread_join(thread, nil)
    }
}

/// A temporary file for captured log output, removed on deinit.
final class TemporaryFile {
    let path: String
    let fd: Int32

    init() {
        var template = Array("/tmp/ascent-runtime-test-XXXXXX".utf8CString)
        fd = mkstemp(&template)
        precondition(fd >= 0, "mkstemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func contents() -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// Parses one JSON object line with Foundation, or nil when it is not valid JSON.
func parseJSONObject(_ line: Substring) -> [String: Any]? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return nil }
    return object as? [String: Any]
}

/// Waits up to `timeout` for `condition`, polling; returns whether it became true.
func waitUntil(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}
