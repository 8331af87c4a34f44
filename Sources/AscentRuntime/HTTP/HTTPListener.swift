import Glibc
import Synchronization

/// A listening TCP socket, non-blocking, closed exactly once (by the serving loop or by `stop()`
/// on a server that never started).
final class HTTPListener: Sendable {
    private let descriptor: Atomic<Int32>
    let port: Int

    init(host: String, port: Int) throws(HTTPServerError) {
        guard (0...65535).contains(port) else {
            throw HTTPServerError(operation: "bind", code: 0, reason: "port \(port) is not in 0...65535")
        }
        let address = host == "localhost" ? "127.0.0.1" : host
        let isIPv6 = address.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET,
                        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(operation: "socket", code: errno, reason: Self.describe(errno)) }
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var bindResult: Int32
        if isIPv6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET6, address, &socketAddress.sin6_addr) == 1 else {
                Glibc.close(fd)
                throw HTTPServerError(operation: "parse host", code: 0, reason: "'\(host)' is not a numeric IPv6 address")
            }
            bindResult = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
                Glibc.close(fd)
                throw HTTPServerError(operation: "parse host", code: 0,
                                      reason: "'\(host)' is not a numeric IPv4 address or localhost")
            }
            bindResult = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard bindResult == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HTTPServerError(operation: "bind \(host):\(port)", code: code, reason: Self.describe(code))
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HTTPServerError(operation: "listen", code: code, reason: Self.describe(code))
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let nameResult = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard nameResult == 0 else {
            let code = errno
            Glibc.close(fd)
            throw HTTPServerError(operation: "getsockname", code: code, reason: Self.describe(code))
        }
        let boundPort: UInt16 = withUnsafePointer(to: &bound) { pointer in
            if isIPv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        self.descriptor = Atomic(fd)
        self.port = Int(boundPort)
    }

    deinit {
        close()
    }

    /// The socket, or -1 once closed.
    var fd: Int32 { descriptor.load(ordering: .acquiring) }

    /// Closes the socket; later calls do nothing.
    func close() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
