import Glibc

/// The standard Prometheus process metrics, read from /proc at scrape time: CPU seconds, resident
/// memory, open and maximum file descriptors, start time. Open descriptors matter here: one
/// process may hold at most about 20,000, and every WebSocket connection takes one.
public enum ProcessMetrics {
    /// Adds `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_open_fds`,
    /// `process_max_fds` and `process_start_time_seconds` to `registry`. Calling it again for the
    /// same registry replaces the closures with identical ones.
    public static func register(in registry: MetricsRegistry) {
        registry.counter("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.") {
            var usage = rusage()
            guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            return user + system
        }
        registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.") {
            // /proc/self/statm: size resident shared text lib data dt, in pages.
            guard let statm = readProcFile("/proc/self/statm") else { return .nan }
            let fields = statm.split(separator: " ")
            guard fields.count > 1, let pages = Double(fields[1]) else { return .nan }
            return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
        }
        registry.gauge("process_open_fds", help: "Number of open file descriptors.") {
            guard let directory = opendir("/proc/self/fd") else { return .nan }
            defer { closedir(directory) }
            var count = 0
            while let entry = readdir(directory) {
                let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
                if !isDot { count += 1 }
            }
            // The directory handle itself is one of the descriptors listed.
            return Double(max(0, count - 1))
        }
        registry.gauge("process_max_fds", help: "Maximum number of open file descriptors.") {
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return .nan }
            return Double(limit.rlim_cur)
        }
        let startTime = processStartTimeSeconds()
        registry.gauge("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.") {
            startTime
        }
    }

    /// Boot time (`btime` in /proc/stat) plus the process's start in clock ticks after boot
    /// (field 22 of /proc/self/stat); NaN when /proc cannot be read.
    static func processStartTimeSeconds() -> Double {
        guard let stat = readProcFile("/proc/self/stat"),
              let closing = stat.lastIndex(of: ")"),
              let system = readProcFile("/proc/stat")
        else { return .nan }
        // Fields after the parenthesised command name start at field 3 (state).
        let fields = stat[stat.index(after: closing)...].split(separator: " ")
        let startTicksIndex = 22 - 3
        guard fields.count > startTicksIndex, let startTicks = Double(fields[startTicksIndex]) else { return .nan }
        guard let bootLine = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let bootTime = Double(bootLine.dropFirst(6).trimmingPrefix(while: { $0 == " " }))
        else { return .nan }
        return bootTime + startTicks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Reads a /proc file (they report size 0, so read until end), at most 256 KB.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 262_144 {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
