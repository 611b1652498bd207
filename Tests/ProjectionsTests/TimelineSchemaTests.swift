import Foundation
import ProjectionCore
import Testing
import TimelineProjection

/// The timeline's DDL and its agreement with the rows the projection writes.
@Suite("Timeline: schema.sql")
struct TimelineSchemaTests {
    private let timeline = TimelineProjection()

    /// The column names declared in `CREATE TABLE entries (…)`.
    var declaredColumns: [String] {
        get throws {
            let sql = timeline.schemaSQL
            let start = try #require(sql.range(of: "CREATE TABLE entries ("))
            let end = try #require(sql.range(of: "\n);", range: start.upperBound..<sql.endIndex))
            return sql[start.upperBound..<end.lowerBound]
                .split(separator: "\n")
                .compactMap { line in line.split(separator: " ").first.map(String.init) }
                .filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } }
        }
    }

    @Test func usesUnqualifiedNames() {
        #expect(timeline.schemaSQL.contains("CREATE TABLE entries ("))
        #expect(!timeline.schemaSQL.contains("timeline.entries"))
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test func commentsOnTheTableAndEveryColumn() throws {
        let columns = try declaredColumns
        #expect(columns.count == 17)
        #expect(timeline.schemaSQL.contains("COMMENT ON TABLE entries IS"))
        for column in columns {
            #expect(timeline.schemaSQL.contains("COMMENT ON COLUMN entries.\(column) IS"), "\(column)")
        }
    }

    @Test func creatingEventsWriteEveryColumnButTheKey() throws {
        let columns = Set(try declaredColumns).subtracting(["entry_id"])
        let creators = [
            recordedEvent("PatientRegistered", Payloads.patientRegistered()),
            recordedEvent("AppointmentBooked", Payloads.appointmentBooked()),
            recordedEvent("TestOrdered", Payloads.testOrdered()),
            recordedEvent("TestResultRecorded", Payloads.testResultRecorded()),
            recordedEvent("JournalEntryAdded", Payloads.journalEntryAdded()),
        ]
        for event in creators {
            let row = try #require(try timeline.changes(for: event).first?.upsertedColumns)
            #expect(Set(row.keys) == columns, "\(event.eventType)")
        }
    }

    @Test func indexesServeNewestFirstPerPatientAndPerKindOverVisibleRows() {
        let sql = timeline.schemaSQL
        #expect(sql.contains("ON entries (nhs_number, occurred_at DESC, entry_id DESC)\n    WHERE visible_to_patient;"))
        #expect(
            sql.contains(
                "ON entries (nhs_number, kind, occurred_at DESC, entry_id DESC)\n    WHERE visible_to_patient;"
            )
        )
    }

    @Test func holdsNothingThatDependsOnTheClock() {
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("now()"))
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("current_timestamp"))
    }
}
