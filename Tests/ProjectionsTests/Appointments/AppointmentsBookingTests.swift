import AppointmentsProjection
import ProjectionCore
import Testing

/// Booking: the row written whole when new, restated when the appointment is booked again.
@Suite("Appointments: booking")
struct AppointmentsBookingTests {
    private let projection = AppointmentsProjection()

    /// What the fixture booking restates on a row, at position 7.
    private let bookingColumns: Columns = [
        "nhs_number": "9434765919",
        "state": "booked",
        "starts_at": "2026-03-10T09:30:00Z",
        "ends_at": "2026-03-10T09:50:00Z",
        "clinic_code": "DIAB1",
        "clinic_name_en": "Diabetes clinic",
        "clinic_name_cy": "Clinig diabetes",
        "cy_fallback": false,
        "specialty": "Diabetology",
        "organisation_ods": "7A4",
        "organisation_name": "Cardiff and Vale UHB",
        "mode": "video",
        "booking_reference": "123456789012",
        "booked_at": "2026-01-15T12:00:00Z",
        "source_system": "W97016",
        "last_position": 7,
    ]

    @Test func bookingInsertsTheWholeRowThenRestatesTheBookingAndRecordsHistory() throws {
        let changes = try projection.changes(
            for: recordedEvent("AppointmentBooked", Payloads.appointmentBooked(), position: 7)
        )
        let newRow = bookingColumns.merging(
            [
                "rescheduled_at": nil, "cancelled_at": nil, "cancelled_by": nil, "attended_at": nil,
                "missed_at": nil, "reschedule_count": 0,
            ],
            uniquingKeysWith: { _, new in new }
        )
        #expect(
            changes == [
                .insert("appointments", key: ["appt-1"], newRow),
                .update("appointments", key: ["appt-1"], bookingColumns),
                .insert(
                    "appointment_history",
                    key: ["appt-1", 7],
                    [
                        "nhs_number": "9434765919",
                        "change": "booked",
                        "changed_at": "2026-01-15T12:00:00Z",
                        "starts_at": "2026-03-10T09:30:00Z",
                        "ends_at": "2026-03-10T09:50:00Z",
                        "cancelled_by": nil,
                        "reason": nil,
                        "last_position": 7,
                    ]
                ),
            ]
        )
    }

    @Test func aNewAppointmentStartsNeverRescheduled() throws {
        var tables = AppointmentsTables()
        try tables.apply(appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 1))
        let row = try #require(tables.appointment("appt-1"))
        #expect(row["reschedule_count"] == 0)
        #expect(row["state"] == "booked")
        #expect(row["last_position"] == 1)
    }

    @Test func bookingAnExistingAppointmentAgainKeepsItsRescheduleCountAndTransitionTimes() throws {
        var tables = AppointmentsTables()
        try tables.apply(appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 1))
        try tables.apply(
            appointmentsEvent(
                "AppointmentRescheduled",
                Payloads.appointmentRescheduled(),
                at: 2,
                occurredAt: "2026-01-20T08:00:00Z"
            )
        )
        let rebooking = Payloads.appointmentBooked().setting("startsAt", to: "2026-04-01T11:00:00+01:00")
        try tables.apply(appointmentsEvent("AppointmentBooked", rebooking, at: 3, occurredAt: "2026-01-25T09:00:00Z"))

        let row = try #require(tables.appointment("appt-1"))
        #expect(row["reschedule_count"] == 1)
        #expect(row["rescheduled_at"] == "2026-01-20T08:00:00Z")
        #expect(row["state"] == "booked")
        #expect(row["starts_at"] == "2026-04-01T11:00:00+01:00")
        #expect(row["booked_at"] == "2026-01-25T09:00:00Z")
        #expect(row["last_position"] == 3)
        #expect(tables.changes(of: "appt-1").map { $0["change"] } == ["booked", "rescheduled", "booked"])
    }

    @Test func aClinicNameWithoutWelshFallsBackToEnglishAndIsFlagged() throws {
        for name: [String: Any] in [["en": "Eye clinic"], ["en": "Eye clinic", "cy": "  "]] {
            let payload = Payloads.appointmentBooked().setting("clinic.name", to: name)
            let changes = try projection.changes(for: recordedEvent("AppointmentBooked", payload))
            for change in changes.prefix(2) {
                let row = try #require(change.appointmentsWrittenColumns)
                #expect(row["clinic_name_en"] == "Eye clinic")
                #expect(row["clinic_name_cy"] == "Eye clinic")
                #expect(row["cy_fallback"] == true)
            }
        }
    }

    @Test func optionalFieldsAndAMissingOccurredAtBecomeNull() throws {
        let payload = Payloads.appointmentBooked()
            .setting("endsAt", to: nil)
            .setting("bookingReference", to: nil)
            .setting("mode", to: "in-person")
        var tables = AppointmentsTables()
        try tables.apply(appointmentsEvent("AppointmentBooked", payload, at: 5, occurredAt: nil))

        let row = try #require(tables.appointment("appt-1"))
        #expect(row["ends_at"] == .null)
        #expect(row["booking_reference"] == .null)
        #expect(row["booked_at"] == .null)
        #expect(row["mode"] == "in-person")
        let history = try #require(tables.history[key: ["appt-1", 5]])
        #expect(history["changed_at"] == .null)
        #expect(history["ends_at"] == .null)
    }

    @Test func replayingABookingLeavesOneRowAndOneHistoryRow() throws {
        var tables = AppointmentsTables()
        let booking = appointmentsEvent("AppointmentBooked", Payloads.appointmentBooked(), at: 1)
        try tables.apply(booking)
        let first = tables
        try tables.apply(booking)
        #expect(tables.appointments.rows == first.appointments.rows)
        #expect(tables.history.rows == first.history.rows)
        #expect(tables.history.rows.count == 1)
    }
}
