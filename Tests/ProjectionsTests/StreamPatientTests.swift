import ProjectionContract
import ProjectionCore
import Testing

/// A stream named after a patient (`patient-`, `consent-`, `journal-`) holds only that patient's events.
@Suite struct StreamPatientTests {
    static let other = "9990355789"

    func event(_ type: String, _ data: [String: Any], stream: String) -> RecordedEvent {
        var event = recordedEvent(type, data)
        event.streamID = stream
        return event
    }

    @Test(.bug(id: 21, "an event in one patient's journal stream, naming another, was filed on the other's timeline"))
    func anEventNamingAnotherPatientThanItsStreamIsAContractViolation() throws {
        let cases: [(String, [String: Any], String)] = [
            ("JournalEntryAdded", Payloads.journalEntryAdded(), "journal-\(Self.other)"),
            ("ConsentGranted", Payloads.consentGranted(), "consent-\(Self.other)"),
            ("PatientRegistered", Payloads.patientRegistered(), "patient-\(Self.other)"),
            ("JournalEntryDeleted", Payloads.journalEntryDeleted(), "journal-\(Payloads.nhsNumber)0"),
            ("JournalEntryDeleted", Payloads.journalEntryDeleted(), "journal-"),
        ]
        for (type, data, stream) in cases {
            let failure = #expect(throws: ProjectionFailure.self, "\(type) in \(stream)") {
                switch type {
                case "JournalEntryAdded":
                    _ = try decode(JournalEntryAdded.self, from: event(type, data, stream: stream))
                case "ConsentGranted": _ = try decode(ConsentGranted.self, from: event(type, data, stream: stream))
                case "PatientRegistered":
                    _ = try decode(PatientRegistered.self, from: event(type, data, stream: stream))
                default: _ = try decode(JournalEntryDeleted.self, from: event(type, data, stream: stream))
                }
            }
            #expect(failure?.category == .invalidPayload)
            #expect(
                failure?.reason
                    == "data.nhsNumber: must be the patient the stream is named after (\(stream.prefix { $0 != "-" })-<NHS number>), "
                    + "or a number merged with it earlier in the log"
            )
            #expect(
                failure?.reason.contains(Self.other) == false && failure?.reason.contains(Payloads.nhsNumber) == false
            )
        }
    }

    @Test func theStreamsOwnPatientAndStreamsNamedByOtherIdsAreAccepted() throws {
        let own = try decode(
            JournalEntryAdded.self,
            from: event("JournalEntryAdded", Payloads.journalEntryAdded(), stream: "journal-\(Payloads.nhsNumber)")
        )
        #expect(own.payload.nhsNumber.digits == Payloads.nhsNumber)
        // An appointment's stream is named by the appointment: its payload names the patient.
        let booked = try decode(
            AppointmentBooked.self,
            from: event("AppointmentBooked", Payloads.appointmentBooked(), stream: "appointment-\(Self.other)")
        )
        #expect(booked.payload.nhsNumber.digits == Payloads.nhsNumber)
    }
}
