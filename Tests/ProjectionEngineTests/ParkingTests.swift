import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// `NotesProjection`, except that while `strict` it cannot read a note marked `"fussy": true`, as a
/// projector meets an unknown schema version; deploying the lenient one (`strict = false`) is the fix.
struct FussyNotes: Projection {
    var notes = NotesProjection()
    var strict = true
    var name: String { notes.name }
    var version: Int { notes.version }
    var eventTypes: Set<String> { notes.eventTypes }
    var tables: [TableSpec] { notes.tables }
    var schemaSQL: String { notes.schemaSQL }

    static let unsupported = "metadata.schemaVersion 9 is not supported"

    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        if strict, String(decoding: event.data, as: UTF8.self).contains("\"fussy\"") {
            throw ProjectionFailure(.unsupportedSchemaVersion, Self.unsupported)
        }
        return try notes.changes(for: event)
    }

    static let lenient = FussyNotes(strict: false)
}

/// A note in stream `note-<id>` that `FussyNotes` fails on until it is lenient.
func fussyNote(_ id: String, _ text: String, n: Int) -> NewEvent {
    NewEvent(
        stream: "note-\(id)",
        type: "NoteAdded",
        eventID: eventID(n),
        data: #"{"id": "\#(id)", "text": "\#(text)", "fussy": true}"#
    )
}

/// An event of stream `note-<id>` without `id`: every version fails on it (invalid payload).
func brokenNote(_ id: String, n: Int) -> NewEvent {
    NewEvent(stream: "note-\(id)", type: "NoteAdded", eventID: eventID(n), data: #"{"text": "no id"}"#)
}

/// Per-stream ordering of dead letters (the architecture article, "Parking"): a stream's later events park behind its first
/// dead letter, and retrying or skipping that one releases them in order.
@Suite struct ParkingTests {
    func letters(on conn: Connection) async throws -> [DeadLetters.Letter] {
        try await DeadLetters.list(projection: "notes", status: nil, limit: 100, on: conn)
    }

    /// `(position, category, behind position, status)` of every letter, in log order.
    func summary(_ letters: [DeadLetters.Letter]) -> [String] {
        let positions = Dictionary(uniqueKeysWithValues: letters.map { ($0.id, $0.globalPosition) })
        return letters.map { letter in
            let behind = letter.behindID.map { positions[$0].map(String.init) ?? "?" } ?? "-"
            return "\(letter.globalPosition) \(letter.category) \(behind) \(letter.status)"
        }
    }

    @Test(arguments: [1, 2, 500])
    func laterEventsOfAStreamParkBehindItsFailedEventInTheSameBatchAndInLaterOnes(batchSize: Int) async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([
                note("a", "one", n: 1), fussyNote("a", "two", n: 2), note("b", "bee", n: 3), note("a", "three", n: 4),
                note("a", "gone", n: 5, type: "NoteDeleted"),
            ])
            try await runUntilCaughtUp(FussyNotes(), url: url, batchSize: batchSize)
            // A later run claims anew: it finds the stream parked in the database.
            try await log.appendMany([note("a", "six", n: 6), note("b", "bee two", n: 7)])
            try await runUntilCaughtUp(FussyNotes(), url: url, batchSize: batchSize)

            #expect(try await dump("notes.notes", on: conn) == ["(a,one,,1)", "(b,\"bee two\",,7)"])
            let all = try await letters(on: conn)
            #expect(
                summary(all) == [
                    "2 unsupported-schema-version - parked", "4 parked-behind 2 parked", "5 parked-behind 2 parked",
                    "6 parked-behind 2 parked",
                ]
            )
            #expect(
                all[1].reason == "waits behind the dead letter of event \(eventID(2)), an earlier event of its stream"
            )
            let status = try await StatusReader.status(of: [FussyNotes()], on: conn)[0]
            #expect(status.deadLetters == 4 && status.deadLettersParkedBehind == 3)
            #expect(status.eventsBehind == 0)
        }
    }

    @Test func aRetryReleasesTheStreamInOrderSoAnOldEventNeverOverwritesANewerOne() async throws {
        let events = [note("a", "one", n: 1), fussyNote("a", "two", n: 2), note("a", "three", n: 3)]
        // What applying 1, 2, 3 in order gives.
        let inOrder = try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(events)
            try await runUntilCaughtUp(FussyNotes.lenient, url: url)
            return (try await dump("notes.notes", on: conn), try await dump("notes.note_history", on: conn))
        }
        #expect(inOrder.0 == ["(a,three,,3)"])
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(events)
            try await runUntilCaughtUp(FussyNotes(), url: url)
            #expect(try await dump("notes.notes", on: conn) == ["(a,one,,1)"], "3 waits behind 2")
            let ids = try await letters(on: conn).map(\.id)
            let (first, second) = (ids[0], ids[1])

            // Before the fix: still failing, and 3 still waits.
            let early = try await DeadLetters.retry(FussyNotes(), ids: [first], by: "ops", on: conn)
            #expect(early == [.init(id: first, stillFailing: FussyNotes.unsupported, waiting: 1)])
            #expect(try await dump("notes.notes", on: conn) == ["(a,one,,1)"])

            // The fix is deployed: 2 applies, then 3 is released behind it.
            let outcomes = try await DeadLetters.retry(FussyNotes.lenient, ids: [], by: "ops", on: conn)
            #expect(outcomes.count == 1 && outcomes[0].stillFailing == nil)
            #expect(outcomes[0].released.applied == [second] && outcomes[0].released.isComplete)
            #expect(try await dump("notes.notes", on: conn) == inOrder.0)
            #expect(try await dump("notes.note_history", on: conn) == inOrder.1)
            let all = try await letters(on: conn)
            #expect(summary(all) == ["2 unsupported-schema-version - retried", "3 parked-behind 2 retried"])
            #expect(all.map(\.attempts) == [3, 2])
            #expect(all.allSatisfy { $0.handledBy == "ops" })

            // The stream is released: its next event applies.
            try await LogWriter(connection: conn).appendMany([note("a", "four", n: 4)])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            #expect(try await dump("notes.notes", on: conn) == ["(a,four,,4)"])
        }
    }

    @Test func aReleasedEventThatFailsAgainBecomesItsStreamsFirstAndTheRestStayBehindIt() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                note("a", "one", n: 1), fussyNote("a", "two", n: 2), brokenNote("a", n: 3), note("a", "four", n: 4),
                note("a", "five", n: 5),
            ])
            try await runUntilCaughtUp(FussyNotes(), url: url, batchSize: 2)
            let ids = try await letters(on: conn).map(\.id)
            #expect(ids.count == 4)

            let outcomes = try await DeadLetters.retry(FussyNotes.lenient, ids: [ids[0]], by: "ops", on: conn)
            #expect(outcomes.map(\.stillFailing) == [nil])
            var expected = DeadLetters.Release()
            expected.newFirst = ids[1]
            expected.stillBehind = [ids[2], ids[3]]
            #expect(outcomes[0].released == expected)
            #expect(try await dump("notes.notes", on: conn) == ["(a,two,,2)"])
            let all = try await letters(on: conn)
            #expect(
                summary(all) == [
                    "2 unsupported-schema-version - retried", "3 invalid-payload - parked", "4 parked-behind 3 parked",
                    "5 parked-behind 3 parked",
                ]
            )
            #expect(
                all[2].reason == "waits behind the dead letter of event \(eventID(3)), an earlier event of its stream"
            )

            // A letter parked behind another is not retried or skipped on its own; nothing is done.
            let attempts: [@Sendable () async throws -> Int] = [
                { try await DeadLetters.retry(FussyNotes.lenient, ids: [ids[2]], by: "ops", on: conn).count },
                {
                    try await DeadLetters.skip(FussyNotes.lenient, ids: [ids[3]], by: "ops", because: "x", on: conn)
                        .count
                },
            ]
            for attempt in attempts {
                let error = await #expect(throws: DeadLetterSelectionError.self) { _ = try await attempt() }
                #expect(error?.description.contains("waits behind dead letter \(ids[1]) of its stream") == true)
            }
            #expect(try await letters(on: conn) == all)

            // Skipping the new first releases the rest, in order.
            let skipped = try await DeadLetters.skip(
                FussyNotes.lenient,
                ids: [ids[1]],
                by: "ops",
                because: "no id: cannot be applied",
                on: conn
            )
            #expect(skipped.map(\.id) == [ids[1]])
            #expect(skipped[0].released.applied == [ids[2], ids[3]] && skipped[0].released.isComplete)
            #expect(try await dump("notes.notes", on: conn) == ["(a,five,,5)"])
            #expect(
                summary(try await letters(on: conn)) == [
                    "2 unsupported-schema-version - retried", "3 invalid-payload - skipped",
                    "4 parked-behind 3 retried",
                    "5 parked-behind 3 retried",
                ]
            )
        }
    }

    @Test func skippingAFirstLetterReleasesWhatWaitsBehindItAndRetryAllLeavesTheWaitingToTheirFirst() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                note("a", "one", n: 1), fussyNote("a", "two", n: 2), note("a", "three", n: 3),
                fussyNote("b", "bee", n: 4),
                note("b", "bee two", n: 5),
            ])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            // Strict still: --all retries the two firsts only; each still fails and keeps its stream parked.
            let still = try await DeadLetters.retry(FussyNotes(), ids: [], by: "ops", on: conn)
            #expect(still.map(\.stillFailing) == [FussyNotes.unsupported, FussyNotes.unsupported])
            #expect(still.map(\.waiting) == [1, 1])

            let skipped = try await DeadLetters.skip(FussyNotes(), ids: [], by: "ops", because: "test", on: conn)
            #expect(skipped.count == 2 && skipped.allSatisfy { $0.released.applied.count == 1 })
            #expect(try await dump("notes.notes", on: conn) == ["(a,three,,3)", "(b,\"bee two\",,5)"])
            let status = try await StatusReader.status(of: [FussyNotes()], on: conn)[0]
            #expect(status.deadLetters == 0 && status.deadLettersParkedBehind == 0)
        }
    }

    @Test func aRetryWhileTheProjectionRunsReleasesTheStreamForTheRunnerToo() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            var live = RunnerConfiguration()
            live.idlePollInterval = .milliseconds(200)
            let runner = ProjectionRunner(
                projection: FussyNotes(),
                databaseURL: url,
                configuration: live,
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await log.appendMany([
                    note("a", "one", n: 1), fussyNote("a", "two", n: 2), note("a", "three", n: 3),
                ])
                try await waitUntil("3 parked behind 2") { try await letters(on: conn).count == 2 }
                // Parked while the runner holds the claim: it still parks the stream's next event.
                try await log.appendMany([note("a", "four", n: 4)])
                try await waitUntil("4 parked behind 2") { try await letters(on: conn).count == 3 }

                let first = try await letters(on: conn)[0].id
                let outcomes = try await DeadLetters.retry(FussyNotes.lenient, ids: [first], by: "ops", on: conn)
                #expect(outcomes[0].stillFailing == nil && outcomes[0].released.applied.count == 2)
                #expect(try await dump("notes.notes", on: conn) == ["(a,four,,4)"])

                // The runner claimed again: the released stream's next event applies.
                try await log.appendMany([note("a", "five", n: 5)])
                try await waitUntil("5 applied") { try await dump("notes.notes", on: conn) == ["(a,five,,5)"] }
                #expect(try await letters(on: conn).count == 3)
                group.cancelAll()
            }
        }
    }

    @Test func theStopPolicyStopsAtAFailingEventNotAtOneParkedBehindAnEarlierFailure() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([note("a", "one", n: 1), fussyNote("a", "two", n: 2)])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            try await ProjectionControl.setPolicy("notes", .stop, on: conn)
            try await log.appendMany([
                note("a", "three", n: 3), note("b", "bee", n: 4), brokenNote("c", n: 5), note("d", "dee", n: 6),
            ])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            #expect(try await dump("notes.notes", on: conn) == ["(a,one,,1)", "(b,bee,,4)"])
            let status = try await StatusReader.status(of: [FussyNotes()], on: conn)[0]
            #expect(status.state == .stoppedAtDeadLetter && status.isPaused)
            #expect(status.pausedReason?.contains(eventID(5)) == true)
            #expect(
                summary(try await letters(on: conn)) == [
                    "2 unsupported-schema-version - parked", "3 parked-behind 2 parked", "5 invalid-payload - parked",
                ]
            )
        }
    }

    @Test func aBatchAsksForParkedStreamsOnlyWhileTheGenerationHasParkedOne() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(FussyNotes(), url: url)
            let log = LogWriter(connection: conn)
            let applier = BatchApplier(
                projection: FussyNotes(),
                generation: .live("notes"),
                layouts: try await TableLayout.loadAll(of: FussyNotes(), on: conn),
                owner: UUID().uuidString.lowercased(),
                onFailure: .park
            )
            var position = try await conn.withTransaction { conn in
                try Checkpoints.claim(.live("notes"), owner: applier.owner, on: conn).position
            }
            func batch(_ events: [NewEvent]) async throws -> BatchApplier.Outcome {
                try await log.appendMany(events)
                // Other tests' open transactions on the cluster may hold the reader back for a moment.
                var page = try await LogReader(connection: conn).read(after: position, limit: 100)
                while page.events.count < events.count {
                    try await Task.sleep(for: .milliseconds(20))
                    page = try await LogReader(connection: conn).read(after: position, limit: 100)
                }
                let batch = PagePlanner.prepare(page, for: applier.projection)
                guard case .advanced(let written) = await applier.write(batch, on: conn, logger: quietLogger()) else {
                    throw EngineError("the batch did not advance the checkpoint")
                }
                position = written.outcome.end
                return written.outcome
            }
            // The first batch of a claim asks once; then none while no stream is parked.
            #expect(try await batch([note("a", "1", n: 1)]).parkingLookups == 1)
            for n in 2...5 {
                #expect(try await batch([note("a", "\(n)", n: n), note("b", "\(n)", n: 100 + n)]).parkingLookups == 0)
            }
            // A stream parked: every batch asks (one query), and finds it.
            let failed = try await batch([fussyNote("a", "6", n: 6), note("a", "7", n: 7)])
            #expect(failed.parkingLookups == 0 && failed.deadLetters == 2 && failed.parkedBehind == 1)
            let behind = try await batch([note("a", "8", n: 8)])
            #expect(behind.parkingLookups == 1 && behind.parkedBehind == 1)
            // Released by ops: the writer's claim was cleared, so it cannot commit; a new claim asks afresh.
            _ = try await DeadLetters.skip(FussyNotes(), ids: [], by: "ops", because: "test", on: conn)
            await #expect(throws: (any Error).self) { _ = try await batch([note("b", "9", n: 9)]) }
            #expect(try await dump("notes.notes", on: conn) == ["(a,8,,12)", "(b,5,,9)"])
        }
    }

    @Test func aRebuildParksAsTheLiveGenerationDidAndItsSwapKeepsTheLinksAndOpsSkips() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                note("a", "one", n: 1), fussyNote("a", "two", n: 2), note("a", "three", n: 3), note("b", "bee", n: 4),
                fussyNote("b", "bee two", n: 5), note("b", "bee three", n: 6),
            ])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            let skipped = try await DeadLetters.skip(
                FussyNotes(),
                ids: [try await letters(on: conn)[0].id],
                by: "ops",
                because: "test",
                on: conn
            )
            #expect(skipped.first?.released.applied.count == 1)
            let before = summary(try await letters(on: conn))
            #expect(
                before == [
                    "2 unsupported-schema-version - skipped", "3 parked-behind 2 retried",
                    "5 unsupported-schema-version - parked", "6 parked-behind 5 parked",
                ]
            )
            let rows = try await dump("notes.notes", on: conn)
            #expect(rows == ["(a,three,,3)", "(b,bee,,4)"])

            // The new generation parks 3 and 6 again; the swap keeps the skip of 2, which releases 3 into it.
            var next = FussyNotes()
            next.notes.version = 2
            let rebuild = Rebuild(
                projection: next,
                databaseURL: url,
                configuration: RunnerConfiguration(),
                logger: quietLogger()
            )
            guard case .swapped(let result) = try await rebuild.run() else {
                Issue.record("the rebuild did not swap")
                return
            }
            #expect(result.deadLetters == 2)
            #expect(try await dump("notes.notes", on: conn) == rows)
            let after = try await letters(on: conn)
            #expect(summary(after) == before, "links point at the new letters' ids")
            #expect(after[1].handledBy == "projector rebuild")
            let status = try await StatusReader.status(of: [next], on: conn)[0]
            #expect(status.deadLetters == 2 && status.deadLettersParkedBehind == 1)
        }
    }

    @Test func aLetterStoredBeforeStreamsWereParkedParksNothing() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([note("a", "one", n: 1), fussyNote("a", "two", n: 2)])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            // As migration 0009 leaves the letters it finds: their streams' later events were applied already.
            try await conn.execute("UPDATE projector.dead_letters SET parks_stream = false")
            try await log.appendMany([note("a", "three", n: 3)])
            try await runUntilCaughtUp(FussyNotes(), url: url)
            #expect(try await dump("notes.notes", on: conn) == ["(a,three,,3)"])
            #expect(summary(try await letters(on: conn)) == ["2 unsupported-schema-version - parked"])
        }
    }
}
