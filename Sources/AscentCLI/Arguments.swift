/// Hand-written command-line parsing (no outside packages): `--name value`, `--name=value` and
/// `--flag`, consumed as a command reads them; `finish()` rejects whatever was not understood.
public struct Arguments: Sendable {
    private var remaining: [String]

    /// Arguments after the subcommand's name.
    public init(_ arguments: [String]) { remaining = arguments }

    /// Whether `--help` or `-h` was given.
    public mutating func wantsHelp() -> Bool { flag("--help") || flag("-h") }

    /// Removes `name` and reports whether it was there.
    public mutating func flag(_ name: String) -> Bool {
        guard let index = remaining.firstIndex(of: name) else { return false }
        remaining.remove(at: index)
        return true
    }

    /// The value of `--name value` or `--name=value`, removed from the arguments; nil when absent.
    public mutating func option(_ name: String) throws(UsageError) -> String? {
        if let index = remaining.firstIndex(of: name) {
            guard index + 1 < remaining.count, !remaining[index + 1].hasPrefix("--") else {
                throw UsageError("\(name) needs a value")
            }
            let value = remaining[index + 1]
            remaining.removeSubrange(index...index + 1)
            return value
        }
        if let index = remaining.firstIndex(where: { $0.hasPrefix(name + "=") }) {
            let value = String(remaining[index].dropFirst(name.count + 1))
            remaining.remove(at: index)
            return value
        }
        return nil
    }

    /// A whole number in `range`, or nil when absent.
    public mutating func integer(_ name: String, in range: ClosedRange<Int64>) throws(UsageError) -> Int64? {
        guard let text = try option(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw UsageError("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// The next argument that is not an option (a positional word), removed; nil when none.
    public mutating func positional() -> String? {
        guard let index = remaining.firstIndex(where: { !$0.hasPrefix("-") }) else { return nil }
        return remaining.remove(at: index)
    }

    /// Throws when arguments remain that no one asked for.
    public func finish() throws(UsageError) {
        if let first = remaining.first {
            throw UsageError(first.hasPrefix("-") ? "unknown option \(first)" : "unexpected argument '\(first)'")
        }
    }
}

/// A command line that cannot be understood; printed with the command's usage, exit status 2.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, for people.
    public var description: String
    /// A usage error saying `description`.
    public init(_ description: String) { self.description = description }
}
