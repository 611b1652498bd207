import AppointmentsProjection
import Foundation
import ProjectionCore
import Testing

/// The appointments DDL and its agreement with the rows the projection writes.
@Suite("Appointments: schema.sql")
struct AppointmentsSchemaTests {
    private let projection = AppointmentsProjection()

    /// The column names declared in `CREATE TABLE <table> (…)`.
    private func declaredColumns(of table: String) throws -> [String] {
        let sql = projection.schemaSQL
        let start = try #require(sql.range(of: "CREATE TABLE \(table) ("))
        let end = try #require(sql.range(of: "\n);", range: start.upperBound..<sql.endIndex))
        return sql[start.upperBound..<end.lowerBound]
            .split(separator: "\n")
            .compactMap { line in line.split(separator: " ").first.map(String.init) }
            .filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } }
    }

    @Test func declaresTheTablesTheProjectionNames() throws {
        #expect(
            projection.tables == [
                TableSpec(name: "appointments", primaryKey: ["appointment_id"]),
                TableSpec(name: "appointment_history", primaryKey: ["appointment_id", "global_position"]),
            ]
        )
        #expect(try declaredColumns(of: "appointments").count == 23)
        #expect(try declaredColumns(of: "appointment_history").count == 10)
        #expect(projection.schemaSQL.contains("PRIMARY KEY (appointment_id, global_position)"))
    }

    @Test func usesUnqualifiedNames() {
        #expect(!projection.schemaSQL.contains("appointments.appointments"))
        #expect(!projection.schemaSQL.contains("appointments.appointment_history"))
        #expect(!projection.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test(arguments: ["appointments", "appointment_history"])
    func commentsOnTheTableAndEveryColumn(_ table: String) throws {
        #expect(projection.schemaSQL.contains("COMMENT ON TABLE \(table) IS"))
        for column in try declaredColumns(of: table) {
            #expect(projection.schemaSQL.contains("COMMENT ON COLUMN \(table).\(column) IS"), "\(column)")
        }
    }

    @Test func aNewBookingWritesEveryColumnButTheKey() throws {
        let columns = Set(try declaredColumns(of: "appointments")).subtracting(["appointment_id"])
        let changes = try projection.changes(for: recordedEvent("AppointmentBooked", Payloads.appointmentBooked()))
        #expect(changes.first.map { Set($0.appointmentsWrittenColumns?.keys ?? []) } == columns)
    }

    @Test(arguments: [
        "AppointmentBooked", "AppointmentRescheduled", "AppointmentCancelled", "AppointmentAttended",
        "AppointmentMissed",
    ])
    func everyHistoryRowNamesEveryColumnButTheKey(_ type: String) throws {
        let columns = Set(try declaredColumns(of: "appointment_history"))
            .subtracting(["appointment_id", "global_position"])
        let changes = try projection.changes(for: recordedEvent(type, try #require(appointmentsFixture(type))))
        let history = try #require(changes.last)
        #expect(history.table == "appointment_history")
        #expect(history == .insert(history.table, key: history.key, history.appointmentsWrittenColumns ?? [:]))
        #expect(Set(history.appointmentsWrittenColumns?.keys ?? []) == columns)
    }

    @Test func everyWrittenColumnIsDeclared() throws {
        let declared = [
            "appointments": Set(try declaredColumns(of: "appointments")),
            "appointment_history": Set(try declaredColumns(of: "appointment_history")),
        ]
        for type in projection.eventTypes {
            for change in try projection.changes(for: recordedEvent(type, try #require(appointmentsFixture(type)))) {
                let written = Set(change.appointmentsWrittenColumns?.keys ?? [])
                #expect(written.isSubset(of: declared[change.table] ?? []), "\(type) → \(change.table)")
            }
        }
    }

    @Test func indexesServeAPatientsUpcomingAndLatestAppointments() {
        let sql = projection.schemaSQL
        #expect(
            sql.contains(
                "ON appointments (nhs_number, starts_at, appointment_id)\n    WHERE state IN ('booked', 'rescheduled');"
            )
        )
        #expect(sql.contains("ON appointments (nhs_number, starts_at DESC);"))
    }

    @Test func holdsNothingThatDependsOnTheClock() {
        #expect(!projection.schemaSQL.localizedCaseInsensitiveContains("now()"))
        #expect(!projection.schemaSQL.localizedCaseInsensitiveContains("current_timestamp"))
    }
}
