import AppointmentsProjection
import ProjectionCore
import Testing

/// Whole appointments over several events: requirements, counts, history and the coalesced batch.
@Suite("Appointments: lifecycle")
struct AppointmentsLifecycleTests {
    private let projection = AppointmentsProjection()

    private static let changingEvents = [
        "AppointmentRescheduled", "AppointmentCancelled", "AppointmentAttended", "AppointmentMissed",
    ]

    @Test(arguments: changingEvents)
    func everyChangeFirstRequiresTheBookedRow(_ type: String) throws {
        let changes = try projection.changes(for: recordedEvent(type, try #require(appointmentsFixture(type))))
        #expect(changes.first == .require("appointments", key: ["appt-1"], because: "appointment not booked"))
        #expect(changes.dropFirst().allSatisfy { $0.requirement == nil })
    }

    @Test(arguments: changingEvents)
    func aChangeOfAnAppointmentNeverBookedIsDeadLetteredAndWritesNothing(_ type: String) throws {
        var tables = AppointmentsTables()
        let reason = try tables.apply(appointmentsEvent(type, try #require(appointmentsFixture(type)), at: 1))
        #expect(reason == "appointment not booked")
        #expect(tables.appointments.rows.isEmpty)
        #expect(tables.history.rows.isEmpty)
    }

    @Test func theRequirementReasonHoldsNoPatientData() throws {
        let changes = try projection.changes(
            for: recordedEvent("AppointmentCancelled", Payloads.appointmentCancelled())
        )
        let reason = try #require(changes.first?.requirement)
        #expect(!reason.contains("appt-1"))
        #expect(!reason.contains(Payloads.nhsNumber))
        #expect(!reason.contains { $0.isNumber })
    }

    @Test func twoReschedulesCountTwoAndTheLatestTimesWin() throws {
        var tables = AppointmentsTables()
        try tables.apply(appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 1))
        let first = Payloads.appointmentsRescheduled(startsAt: "2026-03-17T14:00:00Z", endsAt: "2026-03-17T14:20:00Z")
        let second = Payloads.appointmentsRescheduled(startsAt: "2026-03-24T10:00:00Z", endsAt: nil)
        #expect(try tables.apply(appointmentsEvent("AppointmentRescheduled", first, at: 2)) == nil)
        #expect(
            try tables.apply(
                appointmentsEvent("AppointmentRescheduled", second, at: 3, occurredAt: "2026-01-16T09:00:00Z")
            ) == nil
        )

        let row = try #require(tables.appointment("appt-1"))
        #expect(row["reschedule_count"] == 2)
        #expect(row["state"] == "rescheduled")
        #expect(row["starts_at"] == "2026-03-24T10:00:00Z")
        #expect(row["ends_at"] == .null)
        #expect(row["rescheduled_at"] == "2026-01-16T09:00:00Z")
        #expect(row["last_position"] == 3)
    }

    @Test func everyEventAddsAHistoryRowKeyedByItsPosition() throws {
        var tables = AppointmentsTables()
        try tables.apply(appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 10))
        try tables.apply(appointmentsEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), at: 12))
        try tables.apply(appointmentsEvent("AppointmentMissed", Payloads.appointmentMissed(), at: 15))
        try tables.apply(
            appointmentsEvent("AppointmentCancelled", Payloads.appointmentCancelled(by: "provider"), at: 19)
        )
        try tables.apply(appointmentsEvent("AppointmentAttended", Payloads.appointmentAttended(), at: 23))

        #expect(Set(tables.history.rows.keys) == Set([10, 12, 15, 19, 23].map { ["appt-1", .int($0)] }))
        let history = tables.changes(of: "appt-1")
        #expect(history.map { $0["change"] } == ["booked", "rescheduled", "missed", "cancelled", "attended"])
        #expect(history.map { $0["last_position"] } == [10, 12, 15, 19, 23])
        #expect(history[3]["cancelled_by"] == "provider")

        let row = try #require(tables.appointment("appt-1"))
        #expect(row["state"] == "attended")
        #expect(row["cancelled_by"] == "provider")
        #expect(row["missed_at"] == "2026-01-15T12:00:00Z")
        #expect(row["attended_at"] == "2026-03-10T09:28:00Z")
        #expect(row["last_position"] == 23)
    }

    @Test func aBatchOfBookingsAndReschedulesCoalescesWithoutLosingTheCount() throws {
        let events = [
            appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 1),
            appointmentsEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), at: 2),
            appointmentsEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), at: 3),
            appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 4),
        ]
        var coalescer = Coalescer()
        for event in events { coalescer.add(contentsOf: try projection.changes(for: event)) }
        let rows = try #require(coalescer.changesByTable().first { $0.table == "appointments" }?.rows)
        guard case .merge(let insert, let set)? = rows.first?.change else {
            Issue.record("expected a merge of the appointment's row")
            return
        }
        // Absent before the batch: created with the batch's count. Present: the count grows by the batch's.
        #expect(insert?["reschedule_count"] == 2)
        #expect(insert?["state"] == "booked")
        #expect(set["reschedule_count"] == .increment(2))
        #expect(set["state"] == "booked")
        #expect(set["last_position"] == 4)
    }

    @Test func otherEventTypesChangeNothing() throws {
        for type in ["TestOrdered", "JournalEntryAdded", "AppointmentTeleported"] {
            #expect(try projection.changes(for: recordedEvent(type, ["nhsNumber": "not checked"])).isEmpty)
        }
        #expect(
            projection.eventTypes == [
                "AppointmentBooked", "AppointmentRescheduled", "AppointmentCancelled", "AppointmentAttended",
                "AppointmentMissed", "PatientRecordsMerged",
            ]
        )
    }
}
