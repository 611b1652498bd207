import AppointmentsProjection
import ProjectionCore
import Testing

/// Reschedules, cancellations, attendances and missed appointments, event by event.
@Suite("Appointments: changes of a booked appointment")
struct AppointmentsTransitionTests {
    private let projection = AppointmentsProjection()
    private let requirement = RowChange.require("appointments", key: ["appt-1"], because: "appointment not booked")

    @Test func reschedulingMovesTheTimesCountsOnceAndClearsAnEndNotSent() throws {
        let changes = try projection.changes(
            for: recordedEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), position: 8)
        )
        #expect(
            changes == [
                requirement,
                .update(
                    "appointments",
                    key: ["appt-1"],
                    [
                        "state": "rescheduled",
                        "starts_at": "2026-03-17T14:00:00+00:00",
                        "ends_at": nil,
                        "rescheduled_at": "2026-01-15T12:00:00Z",
                        "reschedule_count": .increment(1),
                        "last_position": 8,
                    ]
                ),
                .insert(
                    "appointment_history",
                    key: ["appt-1", 8],
                    [
                        "nhs_number": "9434765919",
                        "change": "rescheduled",
                        "changed_at": "2026-01-15T12:00:00Z",
                        "starts_at": "2026-03-17T14:00:00+00:00",
                        "ends_at": nil,
                        "cancelled_by": nil,
                        "reason": "Clinician unavailable",
                        "last_position": 8,
                    ]
                ),
            ]
        )
    }

    @Test func aRescheduleWithAnEndSetsIt() throws {
        let payload = Payloads.appointmentsRescheduled(
            startsAt: "2026-03-17T14:00:00Z",
            endsAt: "2026-03-17T14:20:00Z"
        )
        let changes = try projection.changes(for: recordedEvent("AppointmentRescheduled", payload))
        #expect(changes[1].appointmentsWrittenColumns?["ends_at"] == "2026-03-17T14:20:00Z")
        #expect(changes[2].appointmentsWrittenColumns?["ends_at"] == "2026-03-17T14:20:00Z")
    }

    @Test(arguments: ["patient", "provider"])
    func cancellingRecordsWhenAndByWhomWithTheReasonInHistory(_ party: String) throws {
        let payload = Payloads.appointmentCancelled(by: party).setting("reason", to: "Feeling better")
        let changes = try projection.changes(for: recordedEvent("AppointmentCancelled", payload, position: 9))
        #expect(
            changes == [
                requirement,
                .update(
                    "appointments",
                    key: ["appt-1"],
                    [
                        "state": "cancelled", "cancelled_at": "2026-01-15T12:00:00Z", "cancelled_by": .text(party),
                        "last_position": 9,
                    ]
                ),
                .insert(
                    "appointment_history",
                    key: ["appt-1", 9],
                    [
                        "nhs_number": "9434765919", "change": "cancelled", "changed_at": "2026-01-15T12:00:00Z",
                        "starts_at": nil, "ends_at": nil, "cancelled_by": .text(party), "reason": "Feeling better",
                        "last_position": 9,
                    ]
                ),
            ]
        )
    }

    @Test func attendingRecordsWhenThePatientWasSeenFromThePayload() throws {
        let changes = try projection.changes(
            for: appointmentsEvent("AppointmentAttended", Payloads.appointmentAttended(), at: 10)
        )
        #expect(
            changes == [
                requirement,
                .update(
                    "appointments",
                    key: ["appt-1"],
                    ["state": "attended", "attended_at": "2026-03-10T09:28:00Z", "last_position": 10]
                ),
                .insert(
                    "appointment_history",
                    key: ["appt-1", 10],
                    [
                        "nhs_number": "9434765919", "change": "attended", "changed_at": "2026-03-10T09:28:00Z",
                        "starts_at": nil, "ends_at": nil, "cancelled_by": nil, "reason": nil, "last_position": 10,
                    ]
                ),
            ]
        )
    }

    @Test func missingRecordsWhenItWasNoted() throws {
        let changes = try projection.changes(
            for: appointmentsEvent("AppointmentMissed", Payloads.appointmentMissed(), at: 11)
        )
        #expect(
            changes == [
                requirement,
                .update(
                    "appointments",
                    key: ["appt-1"],
                    ["state": "missed", "missed_at": "2026-01-15T12:00:00Z", "last_position": 11]
                ),
                .insert(
                    "appointment_history",
                    key: ["appt-1", 11],
                    [
                        "nhs_number": "9434765919", "change": "missed", "changed_at": "2026-01-15T12:00:00Z",
                        "starts_at": nil, "ends_at": nil, "cancelled_by": nil, "reason": nil, "last_position": 11,
                    ]
                ),
            ]
        )
    }

    @Test(arguments: [
        ("AppointmentRescheduled", "rescheduled_at"),
        ("AppointmentCancelled", "cancelled_at"),
        ("AppointmentMissed", "missed_at"),
    ])
    func aMissingOccurredAtLeavesTheTransitionTimeNull(_ type: String, _ column: String) throws {
        let event = appointmentsEvent(type, try #require(appointmentsFixture(type)), at: 12, occurredAt: nil)
        let changes = try projection.changes(for: event)
        #expect(changes[1].appointmentsWrittenColumns?[column] == .null)
        #expect(changes[2].appointmentsWrittenColumns?["changed_at"] == .null)
    }

    @Test func anAttendanceWithoutOccurredAtStillKnowsWhenThePatientWasSeen() throws {
        let changes = try projection.changes(
            for: appointmentsEvent("AppointmentAttended", Payloads.appointmentAttended(), at: 13, occurredAt: nil)
        )
        #expect(changes[1].appointmentsWrittenColumns?["attended_at"] == "2026-03-10T09:28:00Z")
        #expect(changes[2].appointmentsWrittenColumns?["changed_at"] == "2026-03-10T09:28:00Z")
    }
}
