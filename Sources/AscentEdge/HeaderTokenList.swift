import AscentRuntime

/// Header-value helpers for the WebSocket handshake. Request heads themselves are parsed by
/// AscentRuntime's `HTTPRequestParser`, shared with the ops server.
enum HeaderTokenList {
    /// Whether a comma-separated header value contains `token` (case-insensitive), as
    /// `Connection: keep-alive, Upgrade` must be read.
    static func listContains(_ value: String?, _ token: String) -> Bool {
        guard let value else { return false }
        return value.lowercased().split(separator: ",").contains { $0.trimmingCharacters() == token }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return String(result)
    }
}
