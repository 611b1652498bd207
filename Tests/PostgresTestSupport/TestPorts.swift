/// Ports for servers that tests start.
public enum TestPorts {
    /// A port for a test's HTTP server: random, and below Linux's ephemeral range (32768 and up), which
    /// outgoing connections (the suite's own, to PostgreSQL) take their local ports from, so none of them
    /// can be holding it.
    public static func http() -> Int { Int.random(in: 20_000..<32_000) }
}
