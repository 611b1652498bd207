import Postgres
import PostgresTestSupport
import Testing

/// A session stuck in a statement can be seen (`statementAge`) and cut off (`abort()`) from another task,
/// without waiting for the session: what the runner's watchdog does to a session whose server stopped answering.
@Suite struct AbortTests {
    @Test(.timeLimit(.minutes(1)))
    func abortEndsABlockedStatementAsALostConnection() async throws {
        try await TestDatabase.withConnection { _, url in
            let session = try await Connection.connect(to: url, applicationName: "projector-tests")
            #expect(session.statementAge == nil, "no statement yet")
            // A statement that would block for a minute, as one on a frozen server process blocks for ever.
            let blocked = Task { try await session.query("SELECT pg_sleep(60)") }
            try await waitUntil("the statement to be in progress") {
                (session.statementAge ?? .zero) > .milliseconds(200)
            }
            let abortedAt = ContinuousClock.now
            session.abort()
            let error = try await #require(throws: PostgresError.self) { try await blocked.value }
            #expect(ContinuousClock.now - abortedAt < .seconds(30), "the statement ended at the abort, not on its own")
            #expect(error.isConnectionLoss, "\(error)")
            #expect(session.statementAge == nil, "the statement is over")
            #expect(await !session.isOpen)
            await session.close()
            session.abort()  // after close: a no-op, never another descriptor
        }
    }
}
