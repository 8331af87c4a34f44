/// One parsed HTTP/1.x request head, as handed to a route: method, path, query and headers.
/// Request bodies are not read (the server only serves GET and HEAD).
public struct HTTPRequest: Sendable {
    /// The method, as sent (`GET`, `HEAD`, ...).
    public let method: String
    /// The path without the query string, e.g. `/metrics`.
    public let path: String
    /// The text after `?` in the target, without the `?`; nil when there was none.
    public let query: String?
    /// `HTTP/1.0` or `HTTP/1.1`.
    public let version: String
    /// Header fields in the order received, names as sent.
    public let headers: [(name: String, value: String)]

    /// A request head; the server builds these, tests may too.
    public init(method: String, path: String, query: String? = nil, version: String = "HTTP/1.1",
                headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// The first header named `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
