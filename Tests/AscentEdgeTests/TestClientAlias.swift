import AscentEdge

/// The tests use the library's low-level client under the name they were written with.
typealias TestWebSocketClient = WebSocketClient
