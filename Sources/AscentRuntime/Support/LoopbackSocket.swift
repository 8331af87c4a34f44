#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1, for the small clients that bots and tests use against
/// the project's own servers. It returns an open descriptor or throws having closed what it
/// opened, so a client that stores the descriptor owns it exactly once.
public enum LoopbackSocket {
    /// Why connecting failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What failed, with errno.
        public var description: String
    }

    /// Connects to 127.0.0.1:`port` with send and receive timeouts of `timeoutSeconds`;
    /// `receiveBufferBytes` shrinks SO_RCVBUF before connecting.
    public static func connect(port: Int, timeoutSeconds: Int, receiveBufferBytes: Int32? = nil) throws(Failure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect: errno \(code)")
        }
        return fd
    }
}
