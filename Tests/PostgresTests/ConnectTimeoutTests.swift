import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server that accepts TCP and never answers must not hang a connect forever.
@Suite struct ConnectTimeoutTests {
    /// A socket on 127.0.0.1 that listens (the kernel completes every handshake) and never reads or answers.
    final class SilentListener: Sendable {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0 && listen(descriptor, 8) == 0 else { throw ListenFailed() }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            self.port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }
    }

    struct ListenFailed: Error {}

    @Test(.bug(id: 12, "against a port that accepts TCP and never answers, every command waited forever"))
    func aConnectToASilentServerFailsWithinTheDefaultTimeout() async throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) {
            try await Connection.connect(to: "postgres://u:SECRET-pw9@127.0.0.1:\(listener.port)/db")
        }
        let waited = ContinuousClock.now - started
        // The default is 10 s; libpq counts it per address, with a granularity of a second.
        #expect(waited >= .seconds(8) && waited < .seconds(30), "waited \(waited)")
        #expect(error.kind == .connection)
        #expect(!error.description.contains("SECRET-pw9"))
    }

    @Test func theConninfoStillOverridesTheDefaultTimeout() async throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        _ = try await #require(throws: PostgresError.self) {
            try await Connection.connect(to: "postgres://u@127.0.0.1:\(listener.port)/db?connect_timeout=20")
        }
        // Longer than the default could ever wait: only the URL's own timeout explains it. (A shorter one
        // would be judged by a clock that a loaded machine stretches.)
        #expect(ContinuousClock.now - started > .seconds(15))
    }
}
