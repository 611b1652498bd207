import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Testing

/// A projection that has applied nothing yet before a long log is loaded as a rebuild is, then swapped in;
/// one that has applied events catches up in its live tables as before.
@Suite struct BulkInstallTests {
    typealias Memos = RebuildAllTests.Memos

    /// Notes added, rewritten and deleted, with an event `NotesProjection` cannot apply.
    func log() -> [NewEvent] {
        var events = (1...40).map { note("n\($0 % 25)", "text \($0)", n: $0) }
        events.append(note("n3", "", n: 41, type: "NoteDeleted"))
        events.append(NewEvent(stream: "note-x", type: "NoteAdded", eventID: eventID(42), data: #"{"text": "no id"}"#))
        events += (43...50).map { note("n\($0)", "text \($0)", n: $0) }
        return events
    }

    func run(_ projections: [any Projection], url: String, bulkInstallFrom minimum: Int64?) async throws {
        try await runUntilCaughtUp(projections, url: url, batchSize: 7) { $0.bulkInstallMinimumEvents = minimum }
    }

    /// The OID of `schema`: a swapped-in generation's schema is another one under the same name.
    func schemaID(_ schema: String, on conn: Connection) async throws -> Int64? {
        try await conn.query("SELECT oid::int8 FROM pg_namespace WHERE nspname = \(schema)").rows.first?
            .decode(Int64.self, at: 0)
    }

    /// What a user of `projection` sees: its rows, its checkpoint and its dead letters.
    func state(of projection: String, on conn: Connection) async throws -> [String] {
        let checkpoint = try await conn.query(
            "SELECT global_position, events_seen FROM projector.checkpoints WHERE projection = \(projection)"
        ).rows.map { "\(try $0.decode(Int64.self, at: 0))/\(try $0.decode(Int64.self, at: 1))" }
        let letters = try await conn.query(
            "SELECT global_position, reason, status FROM projector.dead_letters WHERE projection = \(projection) ORDER BY 1"
        ).rows.map {
            "\(try $0.decode(Int64.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2))"
        }
        return checkpoint + letters + (try await dump("\(projection).notes", on: conn))
            + (try await dump("\(projection).note_history", on: conn))
    }

    @Test func aProjectionWithNothingAppliedBeforeALongLogIsLoadedAsARebuildAndSwappedIn() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(log())
            try await ProjectionCatalog.install(NotesProjection(), on: conn)
            let installed = try await schemaID("notes", on: conn)

            // Notes is loaded as a build (the log holds 50 events), memos alongside in its live tables.
            try await run([NotesProjection()], url: url, bulkInstallFrom: 50)
            try await run([Memos()], url: url, bulkInstallFrom: nil)

            #expect(try await schemaID("notes", on: conn) != installed)
            #expect(try await schemaID(Rebuild.schema(for: "notes"), on: conn) == nil)
            #expect(try await conn.query("SELECT 1 FROM projector.builds").rows.isEmpty)
            let notes = try await state(of: "notes", on: conn)
            #expect(notes.first == "50/50")
            #expect(notes.contains { $0.hasPrefix("42 ") && $0.hasSuffix(" parked") })
            #expect(notes == (try await state(of: "memos", on: conn)))
        }
    }

    @Test func aProjectionThatHasAppliedEventsOrAShortLogCatchesUpInItsLiveTables() async throws {
        try await TestDatabase.withConnection { conn, url in
            let events = log()
            try await LogWriter(connection: conn).appendMany(Array(events[..<20]))
            // Below the threshold: caught up in place.
            try await ProjectionCatalog.install(NotesProjection(), on: conn)
            let installed = try await schemaID("notes", on: conn)
            try await run([NotesProjection()], url: url, bulkInstallFrom: 21)
            #expect(try await schemaID("notes", on: conn) == installed)

            // Past it now, but events are applied already: still in place.
            try await LogWriter(connection: conn).appendMany(Array(events[20...]))
            try await run([NotesProjection()], url: url, bulkInstallFrom: 21)
            #expect(try await schemaID("notes", on: conn) == installed)
            try await run([Memos()], url: url, bulkInstallFrom: nil)
            #expect(try await state(of: "notes", on: conn) == (try await state(of: "memos", on: conn)))
        }
    }

    @Test func projectionsWithNothingAppliedAreLoadedTogetherWhileTheOthersCatchUpInPlace() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(log())
            try await run([Memos()], url: url, bulkInstallFrom: nil)
            let memos = try await schemaID("memos", on: conn)
            var shouting = NotesProjection()
            shouting.name = "loud"
            shouting.shout = true
            try await ProjectionCatalog.install(NotesProjection(), on: conn)
            try await ProjectionCatalog.install(shouting, on: conn)
            let installed = [try await schemaID("notes", on: conn), try await schemaID("loud", on: conn)]

            try await run([NotesProjection(), shouting, Memos()], url: url, bulkInstallFrom: 1)

            // Both new ones were swapped in; memos, caught up already, kept its tables.
            #expect(try await schemaID("notes", on: conn) != installed[0])
            #expect(try await schemaID("loud", on: conn) != installed[1])
            #expect(try await schemaID("memos", on: conn) == memos)
            #expect(try await state(of: "notes", on: conn) == (try await state(of: "memos", on: conn)))
            #expect(try await dump("loud.notes", on: conn).count == (try await dump("notes.notes", on: conn)).count)
            #expect(try await dump("loud.notes", on: conn).allSatisfy { $0.contains("TEXT") })
        }
    }
}
