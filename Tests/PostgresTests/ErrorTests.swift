import Postgres
import PostgresTestSupport
import Testing

@Suite struct ErrorTests {
    @Test func syntaxErrorCarriesItsSQLState() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let error = try await #require(throws: PostgresError.self) { try await conn.query("SELEC 1") }
            #expect(error.sqlState == PostgresError.SQLState.syntaxError)
            #expect(error.kind == .server)
            #expect(error.description.contains("42601"))
            #expect(error.description.contains("SELEC 1"))
        }
    }

    @Test func uniqueViolationCarriesItsSQLStateButNotTheValue() async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await conn.execute("CREATE TABLE t (nhs_number text PRIMARY KEY)")
            try await conn.execute("INSERT INTO t VALUES (\("9434765919"))")
            let error = try await #require(throws: PostgresError.self) {
                try await conn.execute("INSERT INTO t VALUES (\("9434765919"))")
            }
            #expect(error.sqlState == PostgresError.SQLState.uniqueViolation)
            #expect(error.constraint == "t_pkey")
            // The server's DETAIL holds the key; the printable form must not.
            #expect(error.detail?.contains("9434765919") == true)
            #expect(!error.description.contains("9434765919"))
            #expect(error.description.contains("unique violation"))
        }
    }

    @Test func invalidInputNeverPrintsTheBoundValue() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let error = try await #require(throws: PostgresError.self) {
                try await conn.query("SELECT \("consent-9434765919")::uuid")
            }
            #expect(error.sqlState == "22P02")
            #expect(!error.description.contains("9434765919"))
        }
    }

    @Test func aConnectionFailureIsAnErrorWithoutThePassword() async throws {
        let error = try await #require(throws: PostgresError.self) {
            _ = try await Connection.connect(to: "postgres://someone:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=2")
        }
        #expect(error.kind == .connection)
        #expect(!error.description.contains("s3cret-pw"))
    }

    @Test func aDeadConnectionGivesAnErrorNotAHang() async throws {
        try await TestDatabase.withConnection { conn, url in
            let killer = try await Connection.connect(to: url)
            let pid = await conn.backendPID
            try await killer.execute("SELECT pg_terminate_backend(\(pid))")
            await killer.close()
            let error = try await #require(throws: PostgresError.self) { try await conn.query("SELECT 1") }
            #expect(error.kind == .connection)
            await #expect(throws: PostgresError.self) { try await conn.query("SELECT 1") }
        }
    }

    @Test func aFailedTransactionRollsBackAndNamesThePhase() async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
            let error = try await #require(throws: TransactionError.self) {
                try await conn.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    try tx.execute("INSERT INTO t VALUES (1)")
                }
            }
            #expect(error.phase == .body)
            let count = try await conn.query("SELECT count(*) FROM t").rows[0].decode(Int.self, at: 0)
            #expect(count == 0)
        }
    }
}
