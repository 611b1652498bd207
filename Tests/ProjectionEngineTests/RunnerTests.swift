import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Synchronization
import Testing

@testable import ProjectionEngine

@Suite struct RunnerTests {
    @Test func catchUpAppliesEveryEventAndRecordsLineage() async throws {
        try await TestDatabase.withConnection { conn, url in
            let writer = LogWriter(connection: conn)
            try await writer.appendMany([
                note("a", "first", n: 1), note("b", "second", n: 2), note("a", "first, edited", n: 3),
                NewEvent(stream: "other-1", type: "SomethingElse", eventID: eventID(4), data: "{}"),
                note("b", "", n: 5, type: "NoteDeleted"),
            ])
            try await runUntilCaughtUp(NotesProjection(), url: url, batchSize: 2)
            #expect(try await dump("notes.notes", on: conn) == ["(a,\"first, edited\",,3)"])
            #expect(try await dump("notes.note_history", on: conn).count == 4)
            let checkpoint = try await conn.query(
                "SELECT global_position, events_seen FROM projector.checkpoints WHERE projection = 'notes'"
            ).rows[0]
            // The checkpoint passes the event of another type too.
            #expect(try checkpoint.decode(Int64.self, at: 0) == 5)
            #expect(try checkpoint.decode(Int64.self, at: 1) == 4)
        }
    }

    @Test func aMalformedEventIsDeadLetteredAndTheRestAreApplied() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                note("a", "one", n: 1),
                NewEvent(stream: "note-x", type: "NoteAdded", eventID: eventID(2), data: #"{"text": "no id"}"#),
                note("c", "three", n: 3),
            ])
            try await runUntilCaughtUp(NotesProjection(), url: url)
            #expect(try await dump("notes.notes", on: conn).count == 2)
            let letters = try await conn.query(
                "SELECT global_position, event_type, category, reason, status FROM projector.dead_letters"
            ).rows
            #expect(letters.count == 1)
            #expect(try letters[0].decode(Int64.self, at: 0) == 2)
            #expect(try letters[0].decode(String.self, at: 2) == "invalid-payload")
            #expect(try letters[0].decode(String.self, at: 3) == "data.id is required")
            #expect(try letters[0].decode(String.self, at: 4) == "parked")
            let status = try await StatusReader.status(of: [NotesProjection()], on: conn)
            #expect(status[0].deadLetters == 1)
            #expect(status[0].eventsBehind == 0)
        }
    }

    @Test func rerunningAfterCatchUpChangesNothing() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...50).map { note("n\($0 % 7)", "v\($0)", n: $0) })
            try await runUntilCaughtUp(NotesProjection(), url: url, batchSize: 9)
            let first = try await dump("notes.notes", on: conn)
            try await runUntilCaughtUp(NotesProjection(), url: url, batchSize: 9)
            #expect(try await dump("notes.notes", on: conn) == first)
            #expect(try await dump("notes.note_history", on: conn).count == 50)
        }
    }

    @Test func aWriterThatLostOwnershipCannotAdvanceTheCheckpoint() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let first = "00000000-0000-4000-8000-00000000000a"
            let second = "00000000-0000-4000-8000-00000000000b"
            _ = try await conn.withTransaction { tx in try Checkpoints.claim(.live("notes"), owner: first, on: tx) }
            _ = try await conn.withTransaction { tx in try Checkpoints.claim(.live("notes"), owner: second, on: tx) }
            let refused = try await conn.withTransaction { tx in
                try Checkpoints.advance(
                    .live("notes"),
                    owner: first,
                    to: LogPosition(transactionID: 1, globalPosition: 99),
                    eventsSeen: 1,
                    on: tx
                )
            }
            #expect(refused == .lostOwnership)
            let advanced = try await conn.withTransaction { tx in
                try Checkpoints.advance(
                    .live("notes"),
                    owner: second,
                    to: LogPosition(transactionID: 1, globalPosition: 7),
                    eventsSeen: 1,
                    on: tx
                )
            }
            #expect(advanced == .advanced)
            let position = try await conn.query("SELECT global_position FROM projector.checkpoints").rows[0]
            #expect(try position.decode(Int64.self, at: 0) == 7)
        }
    }

    @Test func aSecondInstanceStandsByWhileTheFirstIsTheWriterAndTakesOverWhenItsSessionIsGone() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([note("a", "one", n: 1)])
            try await runUntilCaughtUp(NotesProjection(), url: url)
            try await LogWriter(connection: conn).appendMany([note("b", "two", n: 2)])
            // Another instance, whose lease lasts ten minutes.
            let holder = try await Connection.connect(to: url)
            let held = try await holder.withTransaction { tx in
                try Leases.acquire(["notes"], holder: UUID(), length: .seconds(600), on: tx).held
            }
            #expect(held == ["notes"])
            await #expect(throws: EngineError.self) { try await runUntilCaughtUp(NotesProjection(), url: url) }
            #expect(try await StatusReader.status(of: [NotesProjection()], on: conn)[0].state == .running)
            // Its session ends (a crash): the lease is free at once, not in ten minutes.
            await holder.close()
            try await waitUntil("the holder's session is gone") {
                try await StatusReader.status(of: [NotesProjection()], on: conn)[0].state == .stopped
            }
            try await runUntilCaughtUp(NotesProjection(), url: url)
            #expect(try await dump("notes.notes", on: conn).count == 2)
        }
    }

    /// Seen upgrading a running deployment: `projector run` recreated every read model's reporting views at
    /// start, and a changed one's new views named a table its old live generation lacked, so the new version
    /// died before it could rebuild. Only projections whose live tables are this code's get their views then.
    @Test(.bug(id: 23, "a new version died recreating reporting views over an old generation"))
    func onInstalledNamesOnlyProjectionsWhoseLiveTablesAreThisCodes() async throws {
        try await TestDatabase.withConnection { _, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            var newer = NotesProjection()
            newer.version = 2
            let seen = Mutex<[[String]]>([])
            var configuration = RunnerConfiguration()
            configuration.exitWhenCaughtUp = true
            var runner = ProjectionRunner(
                projections: [newer],
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            runner.onInstalled = { _, current in seen.withLock { $0.append(current.map(\.name)) } }
            try await runner.run()
            #expect(seen.withLock { $0.first } == [], "notes was being rebuilt: its live tables were version 1's")
            // Once swapped in, the next start finds them current.
            try await runner.run()
            #expect(seen.withLock { $0.last } == ["notes"])
        }
    }

    @Test func olderCodeRefusesTablesBuiltByANewerVersion() async throws {
        try await TestDatabase.withConnection { _, url in
            var newer = NotesProjection()
            newer.version = 2
            try await runUntilCaughtUp(newer, url: url)
            let error = try await #require(throws: ProjectionChanged.self) {
                try await runUntilCaughtUp(NotesProjection(), url: url)
            }
            #expect(error.installedVersion == 2 && error.codeVersion == 1 && error.isDowngrade)
        }
    }
}
