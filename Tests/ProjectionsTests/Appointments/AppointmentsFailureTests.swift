import AppointmentsProjection
import ProjectionCore
import Testing

/// Events that break the contract: dead letters, with reasons that name the field and not the value.
@Suite("Appointments: invalid events")
struct AppointmentsFailureTests {
    private let projection = AppointmentsProjection()

    /// An event type, the path to break in its fixture payload, the JSON put there, and the reason's start.
    private static let brokenPayloads: [(String, String, String?, String)] = [
        ("AppointmentBooked", "nhsNumber", "\"9434765918\"", "data.nhsNumber:"),
        ("AppointmentBooked", "mode", "\"walk-in\"", "data.mode:"),
        ("AppointmentBooked", "clinic.name.en", nil, "data.clinic.name.en:"),
        ("AppointmentBooked", "bookingReference", "\"UBRN-42\"", "data.bookingReference:"),
        ("AppointmentRescheduled", "startsAt", nil, "data.startsAt:"),
        ("AppointmentRescheduled", "endsAt", "\"2026-03-17T14:20:00\"", "data.endsAt:"),
        ("AppointmentCancelled", "cancelledBy", "\"clinician\"", "data.cancelledBy:"),
        ("AppointmentAttended", "attendedAt", "\"10/03/2026 09:28\"", "data.attendedAt:"),
        ("AppointmentMissed", "appointmentId", "\"\"", "data.appointmentId:"),
        ("AppointmentMissed", "nhsNumber", nil, "data.nhsNumber:"),
    ]

    @Test(arguments: brokenPayloads)
    func anInvalidPayloadThrowsAnInvalidPayloadFailure(
        _ type: String,
        _ path: String,
        _ value: String?,
        _ reasonStart: String
    ) throws {
        let fixture = try #require(appointmentsFixture(type))
        let payload = value.map { fixture.setting(path, json: $0) } ?? fixture.setting(path, to: nil)
        let failure = try #require(throws: ProjectionFailure.self) {
            try projection.changes(for: recordedEvent(type, payload))
        }
        #expect(failure.category == .invalidPayload)
        #expect(failure.reason.hasPrefix(reasonStart), "\(failure.reason)")
        #expect(!failure.reason.contains("9434765918"))
        #expect(!failure.reason.contains("walk-in"))
    }

    @Test func anInvalidOccurredAtThrowsEvenWhereNoColumnNeedsIt() throws {
        let metadata = Payloads.appointmentsMetadata(occurredAt: "yesterday")
        let failure = try #require(throws: ProjectionFailure.self) {
            try projection.changes(
                for: recordedEvent("AppointmentAttended", Payloads.appointmentAttended(), metadata: metadata)
            )
        }
        #expect(failure.category == .invalidPayload)
        #expect(failure.reason.hasPrefix("metadata.occurredAt:"))
    }

    @Test func anUnknownSchemaVersionAsksForANewerProjection() throws {
        let failure = try #require(throws: ProjectionFailure.self) {
            try projection.changes(
                for: recordedEvent(
                    "AppointmentBooked",
                    Payloads.appointmentBooked(),
                    metadata: Payloads.metadata(schemaVersion: 2)
                )
            )
        }
        #expect(failure.category == .unsupportedSchemaVersion)
    }

    @Test func aPayloadThatIsNotAnObjectThrows() throws {
        let failure = try #require(throws: ProjectionFailure.self) {
            try projection.changes(for: recordedEvent("AppointmentCancelled", json: "[1, 2]"))
        }
        #expect(failure.category == .invalidPayload)
    }
}
