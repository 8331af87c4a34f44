#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard output, drawn only when standard output is a terminal (so
/// pipes and files get the report alone), redrawn at most ten times a second.
struct ProgressBar {
    private let enabled: Bool
    private let total: Int64
    private let label: String
    private let unit: String
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var drawn = false

    /// A bar for `total` units, shown only when `enabled` and standard output is a terminal.
    init(total: Int64, label: String, unit: String, enabled: Bool = true) {
        self.unit = unit
        self.enabled = enabled && isatty(STDOUT_FILENO) == 1
        self.total = max(total, 1)
        self.label = label
    }

    /// Redraws for `done` units, unless the last draw was under 100 ms ago.
    mutating func update(_ done: Int64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard !drawn || now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        drawn = true
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let seconds = Double((now - start).components.attoseconds) / 1e18 + Double((now - start).components.seconds)
        let rate = seconds > 0 ? Int(Double(done) / seconds) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(unit), \(rate)/s "
        write(line)
    }

    /// Clears the bar's line so the report starts on a clean line.
    mutating func finish() {
        guard enabled, drawn else { return }
        write("\r\u{1B}[2K")
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}
