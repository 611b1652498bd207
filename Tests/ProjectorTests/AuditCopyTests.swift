import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// `projector rebuild NAME --into SCHEMA [--as-of …]`: audit copies at the right position, in a schema of their own.
@Suite struct AuditCopyTests {
    func schemaComment(_ schema: String, on conn: Connection) async throws -> String? {
        try await conn.query("SELECT obj_description(\(schema)::regnamespace, 'pg_namespace')").rows[0]
            .decode(String?.self, at: 0)
    }

    @Test(.bug("issue #12: as-of copies stopped at the highest transaction id as text (998 after 1860)"))
    func anAsOfCopyStopsAtTheLogsLastEventInTransactionOrder() async throws {
        try await TestDatabase.withConnection { conn, url in
            // Two events whose transaction ids sort differently as text ("98" > "186") and as numbers;
            // both are below any cluster's next transaction id, so both count as committed.
            try await conn.execute(
                """
                INSERT INTO eventlog.events (transaction_id, stream_id, stream_position, event_id, event_type, data)
                VALUES ('98', 'journal-1', 0, gen_random_uuid(), 'TestOnly', '{}'),
                       ('186', 'journal-1', 1, gen_random_uuid(), 'TestOnly', '{}')
                """
            )
            let last = try await conn.query("SELECT max(global_position) FROM eventlog.events").rows[0]
                .decode(Int64.self, at: 0)
            let now = try await conn.query("SELECT now()::text").rows[0].decode(String.self, at: 0)
            for (schema, asOf) in [("audit_head", nil), ("audit_now", now)] {
                let result = try await ProjectorBinary.run(
                    ["rebuild", "timeline", "--into", schema] + (asOf.map { ["--as-of", $0] } ?? []),
                    database: url
                )
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("as of log position 186/\(last)"), "\(result.stdout)")
                #expect(try await schemaComment(schema, on: conn)?.contains("186/\(last)") == true)
            }
        }
    }
}
