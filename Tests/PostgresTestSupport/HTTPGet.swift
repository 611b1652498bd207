import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain HTTP/1.1 GET over a TCP socket, for testing the operations endpoints on a real port.
///
/// Written out here so the tests need no HTTP client package: HummingbirdTesting's brings
/// AsyncHTTPClient and swift-nio-ssl (BoringSSL) into the build, most of a clean build's time.
public enum HTTPGet {
    /// A response: status code, header fields (names lower-cased) and body.
    public struct Response: Sendable {
        /// The status code, such as 200.
        public var status: Int
        /// Header fields by lower-cased name.
        public var headers: [String: String]
        /// The body, de-chunked.
        public var body: [UInt8]
        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// GETs `path` from `host:port` (an IPv4 address), on a thread of its own; throws when nothing listens.
    public static func get(_ path: String, host: String = "127.0.0.1", port: Int) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingGet(path, host: host, port: port) })
            }
        }
    }

    private static func blockingGet(_ path: String, host: String, port: Int) throws -> Response {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw HTTPGetError("send() failed") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n >= 0 else { throw HTTPGetError("recv() failed or timed out") }
            if n == 0 { break }
            received += buffer[..<n]
        }
        return try parse(received)
    }

    /// Splits a whole response (read until the server closed) into status, headers and body.
    static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { throw HTTPGetError("no end of headers") }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw HTTPGetError("bad status line") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        var body = Array(bytes[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        var rest = bytes[...]
        let crlf: [UInt8] = [13, 10]
        while let lineEnd = rest.firstRange(of: crlf) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw HTTPGetError("bad chunk size")
            }
            if size == 0 { return body }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else { throw HTTPGetError("short chunk") }
            body += rest[start..<rest.index(start, offsetBy: size)]
            rest = rest[rest.index(start, offsetBy: size + 2)...]
        }
        throw HTTPGetError("no last chunk")
    }
}

/// A GET that failed before a complete response arrived.
extension HTTPGet {
    /// A blocking TCP connection to `host:port` whose reads give up after 30 s, so a hung server fails
    /// the test instead of hanging it.
    static func connect(host: String, port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPGetError("socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw HTTPGetError("not an IPv4 address")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw HTTPGetError("nothing listens on \(host):\(port)")
        }
        return fd
    }
}

/// A request sent in part and never finished, as a slow or hostile client leaves one: the server must
/// close it rather than keep it for ever.
public final class HalfSentRequest: Sendable {
    private let fd: Int32

    /// Connects to `port` on 127.0.0.1 and sends a request line and one header, without the blank line.
    public init(port: Int) throws {
        fd = try HTTPGet.connect(host: "127.0.0.1", port: port)
        let part = Array("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
        guard part.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == part.count else {
            close(fd)
            throw HTTPGetError("send() failed")
        }
    }

    deinit { close(fd) }

    /// Whether the server closes the connection before the 30 s read timeout (blocks a thread of its own).
    public func closedByServer() async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var byte: UInt8 = 0
                // 0: the server closed it; -1 with ECONNRESET: it reset it; -1 with EAGAIN: the timeout.
                let read = recv(self.fd, &byte, 1, 0)
                continuation.resume(returning: read == 0 || (read < 0 && errno == ECONNRESET))
            }
        }
    }
}

public struct HTTPGetError: Error, CustomStringConvertible {
    /// What failed.
    public var description: String
    /// An error saying what failed.
    public init(_ description: String) { self.description = description }
}
