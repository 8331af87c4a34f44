/// Formatting rules of the Prometheus text exposition format 0.0.4: names, label escaping,
/// numbers, and the lines of each sample.
enum PrometheusText {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first) || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved by Prometheus).
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The label set as written inside braces, sorted by label name: `a="x",b="y"`; empty for none.
    static func labelKey(_ labels: [String: String], metric: String) -> String {
        var parts: [String] = []
        parts.reserveCapacity(labels.count)
        for name in labels.keys.sorted() {
            precondition(isValidLabelName(name), "invalid label name '\(name)' on metric \(metric)")
            parts.append("\(name)=\"\(escapeLabelValue(labels[name]!))\"")
        }
        return parts.joined(separator: ",")
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// HELP text escapes backslash and line feed (quotes stay as they are).
    static func escapeHelp(_ help: String) -> String {
        var out = ""
        out.reserveCapacity(help.utf8.count)
        for character in help.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A sample value: whole numbers without a fraction, `+Inf`/`-Inf`/`NaN` as Prometheus spells
    /// them, anything else in Swift's shortest round-tripping form (which Prometheus parses).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    static func appendSample(_ out: inout String, name: String, suffix: String = "", labels: String, value: String) {
        out += name
        out += suffix
        if !labels.isEmpty {
            out += "{"
            out += labels
            out += "}"
        }
        out += " "
        out += value
        out += "\n"
    }

    static func appendHistogram(_ out: inout String, name: String, labels: String, histogram: Histogram) {
        let snapshot = histogram.snapshot()
        let prefix = labels.isEmpty ? "" : labels + ","
        for (bound, count) in zip(histogram.upperBounds, snapshot.cumulativeCounts) {
            appendSample(&out, name: name, suffix: "_bucket", labels: "\(prefix)le=\"\(format(bound))\"", value: String(count))
        }
        appendSample(&out, name: name, suffix: "_bucket", labels: "\(prefix)le=\"+Inf\"", value: String(snapshot.count))
        appendSample(&out, name: name, suffix: "_sum", labels: labels, value: format(snapshot.sumSeconds))
        appendSample(&out, name: name, suffix: "_count", labels: labels, value: String(snapshot.count))
    }
}
