import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Testing

/// `projector.wait_for` on the primary, called as the API role: true once the runner has applied an
/// append, false when the timeout expires first. The replica side is in ReplicaTests (ReadModelTests).
@Suite struct ReadYourWritesTests {
    @Test func theAPISeesItsOwnAppendOnceWaitForReturnsTrue() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let runner = ProjectionRunner(
                projection: NotesProjection(),
                databaseURL: url,
                configuration: RunnerConfiguration(),
                logger: quietLogger()
            )
            let api = try await Connection.connect(to: url, applicationName: "projector-tests-api")
            try await api.execute("SET ROLE projector_api")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                let appended = try await LogWriter(connection: conn).append(
                    [note("mine", "hello", n: 1)],
                    to: "note-mine"
                )
                // Generous: other tests' open transactions hold the cluster-wide watermark back.
                #expect(try await waitFor("notes", appended.position, timeout: "120 s", on: api))
                let rows = try await api.query("SELECT text FROM notes.notes WHERE id = 'mine'").rows
                #expect(try rows.map { try $0.decode(String.self, at: 0) } == ["hello"])
                group.cancelAll()
            }
            await api.close()
        }
    }

    @Test func waitForReturnsFalseWhenTheTimeoutExpiresBeforeTheCheckpointPasses() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            // No runner follows the log now, so the checkpoint cannot pass this append.
            let appended = try await LogWriter(connection: conn).append([note("late", "x", n: 1)], to: "note-late")
            let api = try await Connection.connect(to: url, applicationName: "projector-tests-api")
            try await api.execute("SET ROLE projector_api")
            let start = ContinuousClock.now
            #expect(try await waitFor("notes", appended.position, timeout: "400 ms", on: api) == false)
            let waited = ContinuousClock.now - start
            #expect(waited >= .milliseconds(400))
            #expect(waited < .seconds(30))
            // A position the checkpoint has passed answers at once, and true.
            #expect(try await waitFor("notes", .start, timeout: "0 s", on: api))
            await api.close()
        }
    }

    @Test func waitForNamesAnUnknownProjectionAndIsForTheAPIRoleOnly() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let error = await #expect(throws: PostgresError.self) {
                try await waitFor("nonesuch", .start, timeout: "1 s", on: conn)
            }
            #expect(error?.sqlState == "42704")
            try await conn.execute("CREATE ROLE projector_test_nobody NOLOGIN")
            try await conn.execute("SET ROLE projector_test_nobody")
            let denied = await #expect(throws: PostgresError.self) {
                try await waitFor("notes", .start, timeout: "1 s", on: conn)
            }
            #expect(denied?.sqlState == "42501")
            try await conn.execute("RESET ROLE")
            try await conn.execute("DROP ROLE projector_test_nobody")
        }
    }

    @Test(.bug(id: 21, "a NULL timeout looped for ever, a NULL position answered true, a NULL xid named no projection"))
    func waitForRefusesEveryNullWithAClearError() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let calls = [
                "CALL projector.wait_for('notes', '1'::xid8, 1, NULL, NULL)",
                "CALL projector.wait_for('notes', '1'::xid8, NULL, '1 s', NULL)",
                "CALL projector.wait_for('notes', NULL, 1, '1 s', NULL)",
                "CALL projector.wait_for(NULL, '1'::xid8, 1, '1 s', NULL)",
                "SELECT projector.checkpoint_passed('notes', '1'::xid8, NULL)",
            ]
            for call in calls {
                let error = await #expect(throws: PostgresError.self, "\(call)") {
                    try await conn.query(Query(unsafeSQL: call))
                }
                #expect(error?.sqlState == "22004", "\(call)")
                #expect(error?.message.contains("must not be NULL") == true, "\(call)")
            }
        }
    }

    @Test func appendReturnsWhereItsEventsCommittedAndARepeatReturnsTheFirstPosition() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            let first = try await writer.append([note("a", "1", n: 1), note("a", "2", n: 2)], to: "note-a")
            let rows = try await conn.query(
                "SELECT transaction_id::text, global_position FROM eventlog.events ORDER BY global_position"
            ).rows
            #expect(first.position == (try rows.last?.logPosition()))
            #expect(first.version == 1)
            let again = try await writer.append([note("a", "1", n: 1), note("a", "2", n: 2)], to: "note-a")
            #expect(again == first)
        }
    }
}

/// `CALL projector.wait_for(...)` on `conn`, outside a transaction block.
func waitFor(_ projection: String, _ position: LogPosition, timeout: String, on conn: Connection) async throws -> Bool {
    try await conn.query(
        """
        CALL projector.wait_for(\(projection), \(String(position.transactionID))::xid8, \(position.globalPosition),
                                \(timeout)::interval, NULL)
        """
    ).rows[0].decode(Bool.self, at: 0)
}
