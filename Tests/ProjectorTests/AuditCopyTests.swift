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

    @Test(.bug(id: 12, "as-of copies stopped at the highest transaction id as text (998 after 1860)"))
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

    @Test(.bug(id: 12, "--into timeline__rebuild was accepted and later swapped in as a rebuild"))
    func intoRefusesTheNamesOfGenerationsAndExistingSchemas() async throws {
        try await TestDatabase.withConnection { conn, url in
            for reserved in [
                "timeline__rebuild", "timeline__verify_1", "timeline__retired_20260101", "results__x", "timeline",
                "consent", "projector", "eventlog", "reporting", "public", "pg_temp_x",
            ] {
                let result = try await ProjectorBinary.run(["rebuild", "timeline", "--into", reserved], database: url)
                #expect(result.status == 64, "\(reserved): \(result.stderr)")
                #expect(result.stderr.contains("--into must be a new schema"), "\(reserved): \(result.stderr)")
            }
            let first = try await ProjectorBinary.run(["rebuild", "timeline", "--into", "audit_twice"], database: url)
            #expect(first.status == 0, "\(first.stderr)")
            let again = try await ProjectorBinary.run(["rebuild", "timeline", "--into", "audit_twice"], database: url)
            #expect(again.status == 1)
            #expect(again.stderr.contains("exists already"), "\(again.stderr)")
            let rebuilds = try await conn.query("SELECT count(*) FROM projector.builds WHERE purpose = 'rebuild'")
            #expect(try rebuilds.rows[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test(.bug(id: 12, "projector_api could read --into audit schemas"))
    func theAPIRoleCannotReadAuditCopies() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "3", "--into-log"], database: url).status == 0
            )
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            let audit = try await ProjectorBinary.run(["rebuild", "consent", "--into", "audit_consent"], database: url)
            #expect(audit.status == 0, "\(audit.stderr)")
            func may(_ role: String, _ privilege: String, _ schema: String) async throws -> Bool {
                try await conn.query(
                    """
                    SELECT has_schema_privilege(\(role), \(schema), 'USAGE')
                       AND has_table_privilege(\(role), \(schema) || '.consents', \(privilege))
                    """
                ).rows[0].decode(Bool.self, at: 0)
            }
            #expect(try await may("projector_api", "SELECT", "consent"), "the live read model stays readable")
            #expect(try await !may("projector_api", "SELECT", "audit_consent"))
            #expect(try await may("projector_writer", "SELECT", "audit_consent"))
            let function = try await conn.query(
                """
                SELECT has_function_privilege('projector_api', p.oid, 'EXECUTE') AND has_schema_privilege('projector_api', n.oid, 'USAGE')
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'audit_consent' AND p.proname = 'may_view'
                """
            ).rows
            #expect(try function.map { try $0.decode(Bool.self, at: 0) } == [false])
        }
    }
}
