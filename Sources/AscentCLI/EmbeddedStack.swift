import AscentRuntime

/// What sets the embedded stack (`ascent up`, and `ascent bench stack`, which runs it the same
/// way) apart from the parts as separate processes: all of them share one machine's cores.
enum EmbeddedStack {
    /// The parts that only follow the log, so they yield the CPU to the round authority
    /// (docs/operations.md, "One machine: who gets the CPU").
    static let backgroundParts: Set<String> = ["settlement", "projector"]

    /// The nice value `part` runs at: `Niceness.background` for a background part, else 0.
    static func niceness(of part: String) -> Int32 { backgroundParts.contains(part) ? Niceness.background : 0 }
}
