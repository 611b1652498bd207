import EventGenerator
import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// The analysts' reports of `sql/reports/`, run as files, as the analyst role, on generated data.
@Suite struct ReportTests {
    static let reports = [
        "result_turnaround_by_test_month", "abnormal_rate_by_test", "did_not_attend_by_clinic_month",
        "reschedules_by_specialty", "consent_changes_by_month", "repeat_turnaround_by_practice_and_pharmacy",
        "repeat_rejection_rate_by_month",
    ]

    static func report(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("sql/reports/\(name).sql"), encoding: .utf8)
    }

    @Test func everyReportRunsAsTheAnalystAndReturnsPlausibleRows() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 150, seed: 9), on: conn)
            try await projectEverything(url: url, on: conn)
            let results = try await asMember(of: "projector_analyst", url: url, on: conn) { analyst in
                var results: [String: [Row]] = [:]
                for name in Self.reports {
                    results[name] = try await analyst.query(Query(unsafeSQL: try Self.report(name))).rows
                }
                return results
            }

            for name in Self.reports { #expect(results[name]?.isEmpty == false, "\(name) returned no rows") }

            for row in results["result_turnaround_by_test_month"] ?? [] {
                let median = try row.decode(Double.self, "median_hours_from_collection")
                let p90 = try row.decode(Double.self, "p90_hours_from_collection")
                #expect(median >= 0 && median <= p90 && p90 < 24 * 60)
            }
            for row in results["abnormal_rate_by_test"] ?? [] {
                let percent = try row.decode(Double.self, "abnormal_percent")
                #expect((0...100).contains(percent))
                #expect(try row.decode(Int.self, "abnormal_results") <= (try row.decode(Int.self, "results")))
            }
            for row in results["did_not_attend_by_clinic_month"] ?? [] {
                #expect((0...100).contains(try row.decode(Double.self, "did_not_attend_percent")))
            }
            let reschedules = try (results["reschedules_by_specialty"] ?? []).reduce(0) {
                $0 + (try $1.decode(Int.self, "reschedules"))
            }
            #expect(
                reschedules
                    == (try await count(
                        "SELECT count(*) FROM eventlog.events WHERE event_type = 'AppointmentRescheduled'",
                        on: conn
                    ))
            )
            for row in results["repeat_turnaround_by_practice_and_pharmacy"] ?? [] {
                let median = try row.decode(Double.self, "median_hours_to_dispense")
                let p90 = try row.decode(Double.self, "p90_hours_to_dispense")
                #expect(median >= 0 && median <= p90)
                let practice = try row.decode(String?.self, "practice_ods")
                let pharmacy = try row.decode(String?.self, "pharmacy_ods")
                #expect((practice == nil) != (pharmacy == nil), "one row per practice, then one per pharmacy")
            }
            let rejected = try (results["repeat_rejection_rate_by_month"] ?? []).reduce(0) {
                $0 + (try $1.decode(Int.self, "rejected"))
            }
            #expect(
                rejected
                    == (try await count(
                        "SELECT count(*) FROM eventlog.events WHERE event_type = 'RepeatPrescriptionRejected'",
                        on: conn
                    ))
            )
            let grants = try (results["consent_changes_by_month"] ?? []).reduce(0) {
                $0 + (try $1.decode(Int.self, "grants"))
            }
            #expect(
                grants
                    == (try await count(
                        "SELECT count(*) FROM eventlog.events WHERE event_type = 'ConsentGranted'",
                        on: conn
                    ))
            )
        }
    }
}
