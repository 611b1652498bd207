import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// Retry and skip of dead letters, on `TallyProjection`.
@Suite struct DeadLetterReviewTests {
    func tally(_ type: String, _ id: String, by: Int = 1, n: Int) -> NewEvent {
        NewEvent(stream: "tally-\(id)", type: type, eventID: eventID(n), data: #"{"id": "\#(id)", "by": \#(by)}"#)
    }

    @Test func aRetryAppliesOnceTheCauseIsFixedAndOtherwiseRecordsTheNewAttempt() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([
                tally("TallyAdded", "a", by: 5, n: 1),  // before a is opened: parked
                tally("TallyAdded", "b", by: 1, n: 2),  // b is never opened: parked
            ])
            try await runUntilCaughtUp(TallyProjection(), url: url)
            var parked = try await DeadLetters.list(projection: "tally", status: "parked", limit: 10, on: conn)
            #expect(parked.map(\.globalPosition) == [1, 2])
            #expect(parked.allSatisfy { $0.reason == "tally not opened" && $0.attempts == 1 })

            // The fix: the producer sends the missing event.
            try await log.appendMany([tally("TallyOpened", "a", n: 3)])
            try await runUntilCaughtUp(TallyProjection(), url: url)
            let outcomes = try await DeadLetters.retry(TallyProjection(), ids: [], by: "ops-alice", on: conn)
            #expect(outcomes.map(\.stillFailing) == [nil, "tally not opened"])
            #expect(try await dump("tally.tallies", on: conn) == ["(a,5,1)"])

            parked = try await DeadLetters.list(projection: "tally", status: "parked", limit: 10, on: conn)
            #expect(parked.map(\.globalPosition) == [2])
            #expect(parked.first?.attempts == 2)
            let retried = try await DeadLetters.list(projection: "tally", status: "retried", limit: 10, on: conn)
            #expect(retried.map(\.globalPosition) == [1])
            #expect(retried.first?.handledBy == "ops-alice")

            // Retrying again applies nothing twice: the retried letter is no longer parked.
            _ = try await DeadLetters.retry(TallyProjection(), ids: [retried[0].id], by: "ops-alice", on: conn)
            #expect(try await dump("tally.tallies", on: conn) == ["(a,5,1)"])
        }
    }

    @Test func aSkipRecordsWhoAndWhyAndLeavesTheRowsAlone() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                tally("TallyAdded", "b", by: 1, n: 1), tally("TallyAdded", "c", by: 1, n: 2),
            ])
            try await runUntilCaughtUp(TallyProjection(), url: url)
            let parked = try await DeadLetters.list(projection: nil, status: nil, limit: 10, on: conn)
            let skipped = try await DeadLetters.skip(
                TallyProjection(),
                ids: [parked[0].id],
                by: "ops-bob",
                because: "test data sent to production",
                on: conn
            )
            #expect(skipped.map(\.id) == [parked[0].id])
            let letters = try await DeadLetters.list(projection: "tally", status: nil, limit: 10, on: conn)
            #expect(letters.map(\.status) == ["skipped", "parked"])
            #expect(letters[0].handledBy == "ops-bob")
            #expect(letters[0].note == "test data sent to production")
            #expect(try await dump("tally.tallies", on: conn) == [])
            // A skipped letter is not retried.
            #expect(try await DeadLetters.retry(TallyProjection(), ids: [letters[0].id], by: "x", on: conn).isEmpty)
        }
    }
}
