import AppointmentsProjection
import Foundation
import ProjectionCore
import Testing

/// The appointments DDL text, and the history row every event ends with. Its tables, keys, columns and comments
/// are held to the catalog, and to the rows the projection writes, with every read model's, by `ReadModelTests`'
/// `TableLayoutTests`.
@Suite("Appointments: schema.sql")
struct AppointmentsSchemaTests {
    private let projection = AppointmentsProjection()

    @Test func usesUnqualifiedNames() {
        #expect(!projection.schemaSQL.contains("appointments.appointments"))
        #expect(!projection.schemaSQL.contains("appointments.appointment_history"))
        #expect(!projection.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test(arguments: [
        "AppointmentBooked", "AppointmentRescheduled", "AppointmentCancelled", "AppointmentAttended",
        "AppointmentMissed",
    ])
    func everyEventEndsByInsertingItsHistoryRow(_ type: String) throws {
        let changes = try projection.changes(for: recordedEvent(type, try #require(appointmentsFixture(type))))
        let history = try #require(changes.last)
        #expect(history.table == "appointment_history")
        #expect(history == .insert(history.table, key: history.key, history.appointmentsWrittenColumns ?? [:]))
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
