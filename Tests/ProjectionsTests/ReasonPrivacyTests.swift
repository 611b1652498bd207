import ProjectionCore
import Testing
import TimelineProjection

/// Dead-letter reasons are printed and logged, so they name the field and rule but never the value.
@Suite("Failure reasons leak no patient data")
struct ReasonPrivacyTests {
    /// A broken event and the values its reason must not contain.
    struct BrokenEvent: Sendable, CustomTestStringConvertible {
        /// The event type.
        var type: String
        /// The payload's JSON.
        var data: String
        /// The metadata's JSON.
        var metadata: String = #"{"occurredAt":"2026-01-15T12:00:00Z"}"#
        /// Values that must not appear in the reason.
        var secrets: [String]
        /// The event type, to tell the cases apart in test output.
        var testDescription: String { type }
    }

    /// One broken event per kind of rule.
    static let brokenEvents: [BrokenEvent] = [
        BrokenEvent(
            type: "AppointmentMissed",
            data: #"{"appointmentId":"appt-1","nhsNumber":"9434765918"}"#,
            secrets: ["9434765918", "943476591"]
        ),
        BrokenEvent(
            type: "AppointmentMissed",
            data: #"{"appointmentId":"appt-1","nhsNumber":"943 476 5919"}"#,
            secrets: ["943 476 5919", "943"]
        ),
        BrokenEvent(
            type: "AppointmentCancelled",
            data: #"{"appointmentId":"appt-1","nhsNumber":"9434765919","cancelledBy":"Dr Jane Smith"}"#,
            secrets: ["9434765919", "Jane", "Smith"]
        ),
        BrokenEvent(
            type: "AppointmentRescheduled",
            data: #"{"appointmentId":"appt-1","nhsNumber":"9434765919","startsAt":"2026-03-17T14:00:00"}"#,
            secrets: ["9434765919", "2026-03-17", "14:00"]
        ),
        BrokenEvent(
            type: "JournalEntryAdded",
            data: #"{"entryId":"j-1","nhsNumber":"9434765919","writtenAt":"2026-02-05T21:00:00Z","#
                + #""text":"I feel low since my diagnosis","language":"fr","sharedWithCareTeam":false}"#,
            secrets: ["9434765919", "diagnosis", "fr"]
        ),
        BrokenEvent(
            type: "JournalEntryAdded",
            data: #"{"entryId":"j-1","nhsNumber":"9434765919","writtenAt":"2026-02-05T21:00:00Z","#
                + #""text":"Private words","language":"en","mood":7,"sharedWithCareTeam":false}"#,
            secrets: ["9434765919", "Private", "7"]
        ),
        BrokenEvent(
            type: "TestResultAmended",
            data: #"{"resultId":"r-1","nhsNumber":"9434765919","value":{"hiv":"positive"},"#
                + #""interpretation":"abnormal","reason":"x","amendedAt":"2026-02-03T09:00:00Z"}"#,
            secrets: ["9434765919", "hiv", "positive"]
        ),
        BrokenEvent(
            type: "PatientRegistered",
            data: #"{"nhsNumber":"9434765919","name":{"given":"Megan","family":"Jones"},"#
                + #""dateOfBirth":"1984-02-30","preferredLanguage":"cy","#
                + #""gpPractice":{"odsCode":"W97016","name":"Meddygfa Taf"}}"#,
            secrets: ["9434765919", "Megan", "Jones", "1984", "Taf"]
        ),
        BrokenEvent(
            type: "AppointmentMissed",
            data: #"{"appointmentId":"appt-1","nhsNumber":9434765919}"#,
            secrets: ["9434765919"]
        ),
        BrokenEvent(
            type: "AppointmentMissed",
            data: #"{"appointmentId":"appt-1","nhsNumber":"9434765919""#,
            secrets: ["9434765919"]
        ),
        BrokenEvent(
            type: "AppointmentMissed",
            data: #"{"appointmentId":"appt-1","nhsNumber":"9434765919"}"#,
            metadata: #"{"schemaVersion":"v9434765919"}"#,
            secrets: ["9434765919"]
        ),
    ]

    @Test(arguments: brokenEvents)
    func reasonsNeverContainTheValues(_ broken: BrokenEvent) {
        let event = recordedEvent(broken.type, json: broken.data, metadataJSON: broken.metadata)
        let failure = #expect(throws: ProjectionFailure.self) {
            try TimelineProjection().changes(for: event)
        }
        guard let failure else { return }
        #expect(failure.reason.contains(":"), "names a field: \(failure.reason)")
        for secret in broken.secrets {
            #expect(!failure.reason.contains(secret), "\(failure.reason)")
            #expect(!failure.description.contains(secret), "\(failure.description)")
        }
    }
}
