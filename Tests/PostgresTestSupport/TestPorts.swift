import Foundation

/// Ports for servers that tests start.
///
/// All below Linux's ephemeral range (32768 and up), which outgoing connections (the suite's own, to
/// PostgreSQL) take their local ports from, so none of them can be holding a port a test server needs.
public enum TestPorts {
    /// A port for a test's HTTP server: random, between the PostgreSQL ports below and the ephemeral range.
    public static func http() -> Int { Int.random(in: 20_000..<32_000) }

    /// The port of the suite's shared PostgreSQL cluster: `PROJECTOR_TEST_PG_PORT`, else scripts/test's
    /// default. The clusters tests start for themselves take the next four (restore + 1, replica pair + 2
    /// and + 3, chaos + 4).
    public static var postgres: Int {
        Int(ProcessInfo.processInfo.environment["PROJECTOR_TEST_PG_PORT"] ?? "") ?? 15_430
    }
}
