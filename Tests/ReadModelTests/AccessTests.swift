import EventGenerator
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import ReadModels
import Testing
import TimelineProjection

/// The three roles of `sql/migrations/0003_access.sql`, each logged in as a user of its own.
@Suite struct AccessTests {
    /// Whether `sql` runs for `conn`: false on insufficient_privilege (42501), any other error thrown.
    func may(_ sql: String, on conn: Connection) async throws -> Bool {
        do {
            _ = try await conn.query(Query(unsafeSQL: sql))
            return true
        } catch  where error.sqlState == "42501" {
            return false
        }
    }

    @Test func theApiReadsTheReadModelsButNotTheLog() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 3, seed: 2), on: conn)
            try await projectEverything(url: url, on: conn)
            try await asMember(of: "projector_api", url: url, on: conn) { api throws in
                // Every table of every read model, so that one added later is held to the same grants.
                for projection in ReadModels.all {
                    for table in projection.tables.map({ "\(projection.name).\($0.name)" }) {
                        #expect(try await may("SELECT * FROM \(table) LIMIT 1", on: api), "\(table)")
                    }
                }
                #expect(try await may("SELECT consent.may_view('9434765919', 'role', 'x', 'results', now())", on: api))
                #expect(try await may("SELECT * FROM eventlog.events LIMIT 1", on: api) == false)
                #expect(try await may("SELECT * FROM projector.pseudonym_key", on: api) == false)
                #expect(try await may("DELETE FROM timeline.entries", on: api) == false)
            }
        }
    }

    @Test func theAnalystReadsReportingOnlyAndNeverAnNHSNumber() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 20, seed: 4), on: conn)
            try await projectEverything(url: url, on: conn)
            // Everything the analyst role may read, from the catalogue: only the reporting views.
            let readable = try await dump(
                """
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND (has_table_privilege('projector_analyst', c.oid, 'SELECT')
                       OR has_any_column_privilege('projector_analyst', c.oid, 'SELECT'))
                ORDER BY 1
                """,
                on: conn
            )
            #expect(
                readable == [
                    "reporting.allergies", "reporting.appointments", "reporting.consent_changes",
                    "reporting.consents", "reporting.lab_results", "reporting.medications", "reporting.repeat_requests",
                    "reporting.timeline_entries",
                ]
            )
            let nhsNumbers = Set(
                try await dump("SELECT DISTINCT data->>'nhsNumber' FROM eventlog.events", on: conn)
            )
            #expect(nhsNumbers.count >= 20)
            try await asMember(of: "projector_analyst", url: url, on: conn) { analyst throws in
                for view in readable {
                    let rows = try await dump("SELECT v::text FROM \(view) v", on: analyst)
                    #expect(!rows.isEmpty, "\(view)")
                    for row in rows {
                        #expect(!nhsNumbers.contains { row.contains($0) }, "\(view) shows an NHS number")
                    }
                }
                for table in ["timeline.entries", "results.lab_results", "eventlog.events", "projector.pseudonym_key"] {
                    #expect(try await may("SELECT * FROM \(table) LIMIT 1", on: analyst) == false, "\(table)")
                }
                #expect(
                    try await may("SELECT consent.may_view('9434765919', 'role', 'x', 'results', now())", on: analyst)
                        == false
                )
            }
        }
    }

    @Test func pseudonymsAreStableAndNeedTheKey() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 5, seed: 6), on: conn)
            try await projectEverything(url: url, on: conn)
            let sql = "SELECT DISTINCT patient_pseudonym FROM reporting.timeline_entries ORDER BY 1"
            let first = try await dump(sql, on: conn)
            #expect(first.count == 5)
            #expect(first.allSatisfy { $0.count == 64 })
            // Another read model's view gives the same patients the same pseudonyms.
            let fromResults = Set(
                try await dump("SELECT DISTINCT patient_pseudonym FROM reporting.lab_results", on: conn)
            )
            #expect(fromResults.isSubset(of: Set(first)))
            // Without a key the views refuse, rather than answer with NULLs.
            try await conn.execute("DELETE FROM projector.pseudonym_key")
            await #expect(throws: PostgresError.self) { _ = try await conn.query(Query(unsafeSQL: sql)) }
            // A new key gives new pseudonyms.
            try await conn.execute("INSERT INTO projector.pseudonym_key (key) VALUES (gen_random_bytes(32))")
            #expect(Set(try await dump(sql, on: conn)).isDisjoint(with: first))
        }
    }

    @Test func theWriterRoleRunsTheProjections() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 3, seed: 8), on: conn)
            // Database-level grants are not copied from the test template.
            let database = try await conn.query("SELECT current_database()").rows[0].decode(String.self, at: 0)
            try await conn.execute("GRANT CREATE ON DATABASE \(identifier: database) TO projector_writer")
            try await asMember(of: "projector_writer", url: url, on: conn) { writer in
                let user = try await writer.query("SELECT current_user").rows[0].decode(String.self, at: 0)
                for projection in ReadModels.all {
                    try await runUntilCaughtUp(projection, url: url + " user=\(user)")
                }
                #expect(try await count("SELECT count(*) FROM results.lab_results", on: writer) > 0)
                #expect(try await may("SELECT * FROM projector.pseudonym_key", on: writer))
                #expect(try await may("INSERT INTO eventlog.streams DEFAULT VALUES", on: writer) == false)
                // The API may read what the writer created.
                try await asMember(of: "projector_api", url: url, on: conn) { api throws in
                    #expect(try await may("SELECT * FROM appointments.appointments LIMIT 1", on: api))
                }
            }
        }
    }

    @Test(.bug(id: 21, "the API and analyst roles could create temporary tables"))
    func onlyTheWriterCreatesTemporaryTables() async throws {
        try await TestDatabase.withConnection { conn, url in
            for role in ["projector_api", "projector_analyst"] {
                try await asMember(of: role, url: url, on: conn) { reader throws in
                    #expect(try await may("CREATE TEMPORARY TABLE staged (x int)", on: reader) == false, "\(role)")
                }
            }
            try await asMember(of: "projector_writer", url: url, on: conn) { writer throws in
                #expect(try await may("CREATE TEMPORARY TABLE staged (x int)", on: writer))
                // Dropped here: the session's own clean-up at close could race the test user's DROP ROLE.
                try await writer.execute("DROP TABLE IF EXISTS staged")
            }
        }
    }

    @Test(.bug(id: 21, "projector_api could read the generations rebuild --keep-old retired"))
    func aGenerationKeptByRebuildIsClosedToTheAPIAndAnalysts() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 3, seed: 2), on: conn)
            try await projectEverything(url: url, on: conn)
            var rebuild = Rebuild(
                projection: TimelineProjection(),
                databaseURL: url,
                configuration: RunnerConfiguration(),
                logger: quietLogger()
            )
            rebuild.keepOld = true
            guard case .swapped(let result) = try await rebuild.run(), let old = result.keptOldSchema else {
                Issue.record("the rebuild did not swap and keep the old generation")
                return
            }
            let kept = try await conn.query("SELECT count(*) FROM \(identifier: old).entries").rows[0]
            #expect(try kept.decode(Int.self, at: 0) > 0, "the kept generation holds rows")
            for role in ["projector_api", "projector_analyst"] {
                try await asMember(of: role, url: url, on: conn) { reader throws in
                    #expect(try await may("SELECT * FROM \(old).entries LIMIT 1", on: reader) == false, "\(role)")
                }
            }
            try await asMember(of: "projector_api", url: url, on: conn) { api throws in
                #expect(try await may("SELECT * FROM timeline.entries LIMIT 1", on: api), "the live generation")
            }
        }
    }
}
