import Postgres
import PostgresTestSupport
import Testing

@Suite struct PipelineTests {
    @Test(arguments: [false, true])
    func statementsRunInOrderAndEachAnswers(cachingPlans: Bool) async throws {
        try await TestDatabase.withConnection { conn, _ in
            if cachingPlans { await conn.cachePlans() }
            try await conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, n int)")
            let results = try await conn.pipeline([
                "INSERT INTO t SELECT g, 0 FROM generate_series(1, 5) g",
                "UPDATE t SET n = n + 1 WHERE id <= \(3)",
                // Sees the statements before it.
                "SELECT sum(n) FROM t",
                "DELETE FROM t WHERE id = \(5)",
            ])
            #expect(results.map(\.affectedRows) == [5, 3, 1, 1])
            #expect(try results[2].rows[0].decode(Int.self, at: 0) == 3)
            #expect(try await conn.query("SELECT count(*) FROM t").rows[0].decode(Int.self, at: 0) == 4)
        }
    }

    @Test(arguments: [false, true])
    func theFirstFailureThrowsAndTheRestDoNotRun(cachingPlans: Bool) async throws {
        try await TestDatabase.withConnection { conn, _ in
            if cachingPlans { await conn.cachePlans() }
            try await conn.execute("CREATE TABLE t (id bigint PRIMARY KEY)")
            try await conn.execute("BEGIN")
            let error = await #expect(throws: PostgresError.self) {
                try await conn.pipeline([
                    "INSERT INTO t VALUES (1)",
                    "INSERT INTO t VALUES (1)",
                    "INSERT INTO t VALUES (2)",
                ])
            }
            #expect(error?.sqlState == "23505")
            try await conn.execute("ROLLBACK")
            // Nothing of the transaction stayed, and the session is out of pipeline mode and usable.
            #expect(try await conn.query("SELECT count(*) FROM t").rows[0].decode(Int.self, at: 0) == 0)
            let again = try await conn.pipeline(["INSERT INTO t VALUES (3)", "INSERT INTO t VALUES (4)"])
            #expect(again.map(\.affectedRows) == [1, 1])
        }
    }

    @Test func aStatementThatDoesNotPrepareThrowsItsError() async throws {
        try await TestDatabase.withConnection { conn, _ in
            await conn.cachePlans()
            let error = await #expect(throws: PostgresError.self) {
                try await conn.pipeline(["SELECT 1", "SELECT * FROM no_such_table"])
            }
            #expect(error?.sqlState == "42P01")
            // The session is out of pipeline mode and usable.
            let after = try await conn.query("SELECT 1")
            #expect(after.rows.count == 1)
        }
    }

    @Test func aSessionEndedMidPipelineIsALostConnection() async throws {
        try await TestDatabase.withConnection { conn, url in
            let pid = try await conn.query("SELECT pg_backend_pid()").rows[0].decode(Int.self, at: 0)
            let running = Task { try await conn.pipeline(["SELECT pg_sleep(30)", "SELECT 1"]) }
            try await Connection.withConnection(to: url) { admin in
                // Ended once it is inside the pipeline's first statement.
                while try await admin.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND wait_event = 'PgSleep'"
                ).rows[0].decode(Int.self, at: 0) == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await admin.execute("SELECT pg_terminate_backend(\(pid)::int)")
            }
            let error = await #expect(throws: PostgresError.self) { try await running.value }
            #expect(error?.isConnectionLoss == true)
        }
    }
}
