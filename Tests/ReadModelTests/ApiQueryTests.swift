import EventGenerator
import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// The patient API's queries of `sql/api/`, run as the API would run them.
@Suite struct ApiQueryTests {
    static let nhs = PatientJourney.nhs

    func run(_ name: String, _ binds: [PostgresBind], on conn: Connection) async throws -> [Row] {
        try await conn.query(Query(unsafeSQL: try apiQuery(name), binds: binds)).rows
    }

    func text(_ value: String?) -> PostgresBind { PostgresBind(text: value, type: 0) }

    @Test func resultDetailShowsTheResultItsOrderAndEveryVersion() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(PatientJourney.events)
            try await projectEverything(url: url, on: conn)
            let rows = try await run("result_detail", [PostgresBind(Self.nhs), PostgresBind("r3")], on: conn)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, "status") == "amended")
            #expect(try row.decode(String.self, "ordered_at") == "2026-02-01 09:00:00+00")
            #expect(try row.decode(String.self, "report_location") == "https://results.example.nhs.wales/reports/r3")
            let versions = try JSONSerialization.jsonObject(with: Data(try row.decode(String.self, "versions").utf8))
            let changes = (versions as? [[String: Any]])?.compactMap { $0["change"] as? String }
            #expect(changes == ["recorded", "amended"])

            // Another patient's result, and a result entered in error, are not found.
            #expect(try await run("result_detail", [PostgresBind("9000000009"), PostgresBind("r3")], on: conn).isEmpty)
            #expect(try await run("result_detail", [PostgresBind(Self.nhs), PostgresBind("r2")], on: conn).isEmpty)
        }
    }

    @Test func upcomingAppointmentsAreTheBookedOnesFromNowSoonestFirst() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(PatientJourney.events)
            try await projectEverything(url: url, on: conn)
            func ids(from now: String) async throws -> [String] {
                try await run(
                    "upcoming_appointments",
                    [PostgresBind(Self.nhs), text(now), text(nil), text(nil), PostgresBind(10)],
                    on: conn
                ).map { try $0.decode(String.self, "appointment_id") }
            }
            // a1 was cancelled; a2 moved to 8 September.
            #expect(try await ids(from: "2026-01-01T00:00:00Z") == ["a2"])
            #expect(try await ids(from: "2026-09-09T00:00:00Z") == [])
        }
    }

    @Test func aGranteeSeesSharedJournalEntriesOnlyWhileConsentAllows() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(PatientJourney.events)
            try await projectEverything(url: url, on: conn)
            func entries(_ type: String, _ id: String, at: String) async throws -> [String] {
                try await run(
                    "shared_journal",
                    [
                        PostgresBind(Self.nhs), PostgresBind(type), PostgresBind(id), text(at), text(nil), text(nil),
                        PostgresBind(10),
                    ],
                    on: conn
                ).map { try $0.decode(String.self, "entry_id") }
            }
            // j1 is shared with the care team; j2 was never shared and is deleted.
            #expect(try await entries("organisation", "W97001", at: "2026-06-01T00:00:00Z") == ["journal:j1"])
            #expect(try await entries("organisation", "W97001", at: "2027-02-01T00:00:00Z") == [], "consent expired")
            #expect(try await entries("person", "C1234567", at: "2026-02-01T00:00:00Z") == ["journal:j1"])
            #expect(try await entries("person", "C1234567", at: "2026-06-01T00:00:00Z") == [], "consent withdrawn")
            #expect(try await entries("organisation", "W00000", at: "2026-06-01T00:00:00Z") == [], "no consent")
        }
    }

    /// With a few rows per patient the planner rightly prefers sequential scans; forbidding them shows
    /// the plan that serves a patient with a long history.
    @Test func everyApiQueryIsServedByAnIndex() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 30, seed: 5), on: conn)
            try await projectEverything(url: url, on: conn)
            try await conn.execute("ANALYZE")
            let nhs = try await conn.query("SELECT nhs_number FROM results.lab_results LIMIT 1").rows[0].decode(
                String.self,
                at: 0
            )
            let queries: [(name: String, binds: [PostgresBind], index: String)] = [
                ("result_detail", [PostgresBind(nhs), PostgresBind("r-1")], "lab_results_pkey"),
                (
                    "upcoming_appointments",
                    [PostgresBind(nhs), text("2026-01-01T00:00:00Z"), text(nil), text(nil), PostgresBind(20)],
                    "appointments_patient_upcoming"
                ),
                (
                    "shared_journal",
                    [
                        PostgresBind(nhs), PostgresBind("organisation"), PostgresBind("W97001"),
                        text("2026-01-01T00:00:00Z"),
                        text(nil), text(nil), PostgresBind(20),
                    ],
                    "entries_patient_kind_newest"
                ),
            ]
            let medicationQueries: [(name: String, index: String)] = [
                ("current_medications", "medications_patient_active"),
                ("repeat_requests_in_progress", "repeat_requests_patient_open"),
                ("allergies", "allergies_patient_visible"),
            ]
            let allQueries =
                queries
                + medicationQueries.map { query in
                    let binds = [
                        PostgresBind(nhs), text(nil), text(nil), text("2026-01-01T00:00:00Z"), text(nil), text(nil),
                        PostgresBind(20),
                    ]
                    return (query.name, binds, query.index)
                }
            for query in allQueries {
                let sql = try apiQuery(query.name).replacingOccurrences(of: ";", with: "")
                let plan = try await conn.withTransaction { tx in
                    try tx.execute("SET LOCAL enable_seqscan = off")
                    try tx.execute("SET LOCAL enable_bitmapscan = off")
                    return try tx.query(Query(unsafeSQL: "EXPLAIN " + sql, binds: query.binds)).rows
                        .map { $0[0] ?? "" }.joined(separator: "\n")
                }
                #expect(plan.contains(query.index), "\(query.name): \(plan)")
                #expect(!plan.contains("Seq Scan"), "\(query.name): \(plan)")
                #expect(sortsOnlyPages(plan), "\(query.name): \(plan)")
            }
        }
    }

    /// EXPLAIN stops at a function call, so the index's own scan counter shows what `may_view` used.
    @Test func theConsentCheckIsServedByAnIndex() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 30, seed: 5), on: conn)
            try await projectEverything(url: url, on: conn)
            try await conn.execute("ANALYZE")
            try await conn.execute("SET enable_seqscan = off")
            try await conn.execute("SET enable_bitmapscan = off")
            func indexScans() async throws -> Int {
                try await conn.execute("SELECT pg_stat_clear_snapshot()")
                return try await count(
                    "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'consents_patient_grantee'",
                    on: conn
                )
            }
            let before = try await indexScans()
            let allowed = try await run(
                "consent_check",
                [
                    PostgresBind(Self.nhs), PostgresBind("organisation"), PostgresBind("W97001"),
                    PostgresBind("journal"),
                    text("2026-01-01T00:00:00Z"),
                ],
                on: conn
            )
            #expect(allowed.count == 1)
            // Statistics reach the shared counters when the session next goes idle.
            try await conn.execute("SELECT pg_stat_force_next_flush()")
            #expect(try await indexScans() > before)
        }
    }
}
