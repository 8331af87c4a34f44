import CSystemShim
import Glibc

/// Opens listening sockets with SO_REUSEPORT, one per worker, so the kernel spreads accepts over
/// the workers and several processes can serve one port.
enum EdgeListener {
    /// A non-blocking listening socket on `host:port` (IPv4 numeric or `localhost`); returns the
    /// descriptor and the bound port (the kernel's choice when `port` is 0).
    static func open(host: String, port: Int, backlog: Int32 = 4096) throws(WebSocketServerError) -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else {
            throw WebSocketServerError(operation: "bind", code: 0, reason: "port \(port) is not in 0...65535")
        }
        let address = host == "localhost" ? "127.0.0.1" : host
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw WebSocketServerError(operation: "parse host", code: 0, reason: "'\(host)' is not a numeric IPv4 address or localhost")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", errno) }
        guard ascent_set_reuse_port(fd) == 0 else {
            let code = errno
            close(fd)
            throw failure("setsockopt SO_REUSEPORT", code)
        }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw failure("bind \(host):\(port)", code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw failure("listen", code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw failure("getsockname", code)
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    static func failure(_ operation: String, _ code: Int32) -> WebSocketServerError {
        WebSocketServerError(operation: operation, code: code, reason: String(cString: strerror(code)))
    }
}
