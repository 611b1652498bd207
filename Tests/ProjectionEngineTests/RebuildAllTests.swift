import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Synchronization
import Testing

/// Several rebuilds share one pass over the log, yet each keeps its own build, swap and outcome.
@Suite struct RebuildAllTests {
    /// Notes under another name, so two projections of the same shape can be rebuilt together; with
    /// `failAt`, its write for that note names a table it does not declare, which fails the transaction.
    struct Memos: Projection {
        var notes = NotesProjection()
        var failAt: String?
        var name: String { "memos" }
        var version: Int { notes.version }
        var eventTypes: Set<String> { notes.eventTypes }
        var tables: [TableSpec] { notes.tables }
        var schemaSQL: String { notes.schemaSQL }

        func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
            if let failAt, String(decoding: event.data, as: UTF8.self).contains("\"\(failAt)\"") {
                return [.insert("nowhere", key: [.text(failAt)], [:])]
            }
            return try notes.changes(for: event)
        }
    }

    func notes(_ range: ClosedRange<Int>) -> [NewEvent] { range.map { note("n\($0)", "text \($0)", n: $0) } }

    func rebuild(_ projection: any Projection, url: String) -> Rebuild {
        var configuration = RunnerConfiguration()
        configuration.batchSize = 4
        return Rebuild(projection: projection, databaseURL: url, configuration: configuration, logger: quietLogger())
    }

    func readers(on conn: Connection) async throws -> Int {
        try await conn.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'projector:%build-reader'"
        ).rows[0].decode(Int.self, at: 0)
    }

    @Test func oneReaderServesEveryBuildAndAFailingBuildDoesNotHoldBackTheOthers() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...30))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            try await runUntilCaughtUp(Memos(), url: url)
            let liveMemos = try await dump("memos.notes", on: conn)

            var notes = NotesProjection()
            notes.version = 2
            notes.shout = true
            var memos = Memos(failAt: "n17")
            memos.notes.version = 2
            // Sessions reading the log for builds, seen after each batch of either.
            let seen = Mutex<Set<Int>>([])
            var rebuilds = [rebuild(notes, url: url), rebuild(memos, url: url)]
            for index in rebuilds.indices {
                rebuilds[index].onProgress = { _ in
                    guard let count = try? await readers(on: conn) else { return }
                    seen.withLock { _ = $0.insert(count) }
                }
            }
            let outcomes = await Rebuild.runAll(rebuilds)

            guard case .success(.swapped(let swapped)) = outcomes["notes"] else {
                Issue.record("notes did not swap: \(String(describing: outcomes["notes"]))")
                return
            }
            #expect(swapped.eventsSeen == 30)
            #expect(try await dump("notes.notes", on: conn).count == 30)
            #expect(try await dump("notes.notes", on: conn).allSatisfy { $0.contains("TEXT") })
            #expect(seen.withLock { $0 } == [1])

            guard case .failure = outcomes["memos"] else {
                Issue.record("memos did not fail: \(String(describing: outcomes["memos"]))")
                return
            }
            // Its live generation is untouched, and its build is kept up to the batch before the failure.
            #expect(try await dump("memos.notes", on: conn) == liveMemos)
            let kept = try await conn.query(
                "SELECT events_seen FROM projector.builds WHERE schema_name = 'memos__rebuild'"
            ).rows.map { try $0.decode(Int.self, at: 0) }
            #expect(kept == [16])
        }
    }

    @Test func aBuildThatCannotStartFailsAloneAndTheOthersSwap() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...12))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            try await runUntilCaughtUp(Memos(), url: url)
            // A build left by the same code, resumed by the group, lacks one of its tables.
            let broken = Build(projection: Memos(), schema: Rebuild.schema(for: "memos"), purpose: .rebuild)
            try await broken.create(on: conn)
            try await conn.execute("DROP TABLE memos__rebuild.note_history")

            let outcomes = await Rebuild.runAll([rebuild(NotesProjection(), url: url), rebuild(Memos(), url: url)])
            guard case .success(.swapped(let swapped)) = outcomes["notes"] else {
                Issue.record("notes did not swap: \(String(describing: outcomes["notes"]))")
                return
            }
            #expect(swapped.eventsSeen == 12)
            guard case .failure(let error) = outcomes["memos"] else {
                Issue.record("memos did not fail: \(String(describing: outcomes["memos"]))")
                return
            }
            #expect("\(error)".contains("note_history is missing"))
            #expect(try await dump("memos.notes", on: conn).count == 12)
        }
    }

    @Test func buildsResumedAtDifferentPositionsEachApplyEveryEventOnce() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...23))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            try await runUntilCaughtUp(Memos(), url: url)
            // A rebuild of notes stopped after the ninth event, left to resume.
            let ninth = try await LogPositions.resolve("9", on: conn)
            let partial = Build(projection: NotesProjection(), schema: Rebuild.schema(for: "notes"), purpose: .rebuild)
            try await partial.create(on: conn)
            var stopped = partial
            stopped.until = ninth
            #expect(
                try await stopped.run(databaseURL: url, configuration: RunnerConfiguration(), logger: quietLogger())
            )

            let outcomes = await Rebuild.runAll([rebuild(NotesProjection(), url: url), rebuild(Memos(), url: url)])
            for name in ["notes", "memos"] {
                guard case .success(.swapped(let swapped)) = outcomes[name] else {
                    Issue.record("\(name) did not swap: \(String(describing: outcomes[name]))")
                    continue
                }
                #expect(swapped.eventsSeen == 23)
                #expect(try await dump("\(name).notes", on: conn).count == 23)
                #expect(try await dump("\(name).note_history", on: conn).count == 23)
            }
        }
    }
}
