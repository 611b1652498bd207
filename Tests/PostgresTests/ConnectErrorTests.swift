import Postgres
import Testing

/// A failed connect says what failed, never the connection string or its password.
@Suite struct ConnectErrorTests {
    @Test(
        .bug(id: 12, "libpq's message quoted a malformed URL whole, password included"),
        arguments: [
            "postgres://u:SECRET-pw9@[::1/db",
            "postgres://u:SECRET-pw9%zz@127.0.0.1/db",
            "postgresql://u:SECRET-pw9@127.0.0.1:1/db?connect_timeout=2&sslmode=bogus",
            "postgres://u:SECRET-pw9@127.0.0.1:99999/db",
            "host=127.0.0.1 port=1 password=SECRET-pw9 connect_timeout=2 nosuchkey=1",
            "host=127.0.0.1 port=1 password='SECRET-pw9 connect_timeout=2",
            "host=127.0.0.1 port=1 password=SECRET-pw9 connect_timeout=2",
        ]
    )
    func aFailedConnectNeverShowsTheConnectionString(conninfo: String) async throws {
        let error = try await #require(throws: PostgresError.self) {
            try await Connection.connect(to: conninfo)
        }
        #expect(error.kind == .connection)
        #expect(!error.description.contains("SECRET-pw9"), "\(error)")
        #expect(!error.message.isEmpty)
    }

    @Test func libpqsOwnWordsStayWhenTheyHoldNoSecret() {
        let message = #"connection to server at "127.0.0.1", port 1 failed: Connection refused"#
        #expect(Conninfo.redacted(message, conninfo: "postgres://u:pw@127.0.0.1:1/db") == message)
        #expect(
            Conninfo.redacted(#"invalid URI "postgres://u:pw@[::1/db""#, conninfo: "postgres://u:pw@[::1/db")
                .contains("does not parse")
        )
        #expect(Conninfo.redacted("bad password s3cr3t-x", conninfo: "password=s3cr3t-x") == "bad password <redacted>")
    }
}
