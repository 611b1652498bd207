import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Synchronization
import Testing

/// A new generation is loaded like a bulk load: secondary indexes built once it has caught up, before the swap.
@Suite struct BulkLoadTests {
    /// Notes with a secondary index and a unique one.
    func indexedNotes(version: Int = 1) -> NotesProjection {
        var notes = NotesProjection()
        notes.version = version
        notes.schemaSQL += """
            CREATE INDEX notes_by_text ON notes (text);
            CREATE UNIQUE INDEX note_history_unique_id_kind ON note_history (id, kind, position);
            """
        return notes
    }

    func indexes(in schema: String, on conn: Connection) async throws -> [String] {
        try await conn.query("SELECT indexname FROM pg_indexes WHERE schemaname = \(schema) ORDER BY 1").rows
            .map { try $0.decode(String.self, at: 0) }
    }

    @Test func aRebuildCreatesItsSecondaryIndexesAfterCatchingUpAndAnalyzesBeforeTheSwap() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...30).map { note("n\($0)", "t\($0)", n: $0) })
            try await runUntilCaughtUp(indexedNotes(), url: url)
            let live = try await indexes(in: "notes", on: conn)
            #expect(live.contains("notes_by_text"))

            var configuration = RunnerConfiguration()
            configuration.batchSize = 10
            var rebuild = Rebuild(
                projection: indexedNotes(version: 2),
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            // What the build's schema holds while it loads, seen after its first batch.
            let duringLoad = Mutex<[String]?>(nil)
            rebuild.onProgress = { _ in
                guard duringLoad.withLock({ $0 == nil }) else { return }
                let seen = try? await indexes(in: Rebuild.schema(for: "notes"), on: conn)
                duringLoad.withLock { $0 = seen }
            }
            guard case .swapped = try await rebuild.run() else {
                Issue.record("the rebuild did not swap")
                return
            }
            // Loading: the primary keys its upserts match on and the unique index stay; the plain one waits.
            #expect(
                duringLoad.withLock { $0 }
                    == ["note_history_pkey", "note_history_unique_id_kind", "notes_pkey"]
            )
            // Swapped in with every index of schema.sql, and statistics the planner can use.
            #expect(try await indexes(in: "notes", on: conn) == live)
            let tuples = try await conn.query(
                "SELECT reltuples::int8 FROM pg_class WHERE oid = 'notes.notes'::regclass"
            ).rows[0].decode(Int64.self, at: 0)
            #expect(tuples == 30)
        }
    }

    @Test func aVerifyScratchIsComparedWithoutBuildingSecondaryIndexes() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...12).map { note("n\($0)", "t\($0)", n: $0) })
            try await runUntilCaughtUp(indexedNotes(), url: url)
            let build = Build(projection: indexedNotes(), schema: "notes_scratch", purpose: .verify)
            try await build.create(on: conn)
            #expect(try await build.run(databaseURL: url, configuration: RunnerConfiguration(), logger: quietLogger()))
            #expect(try await indexes(in: "notes_scratch", on: conn).contains("notes_by_text") == false)
            try await build.discard(on: conn)
        }
    }
}
