import ConsentProjection
import ProjectionCore
import Testing

/// Consent events that break the contract are dead-lettered with a reason that names no patient data,
/// and events the read model does not handle change nothing.
@Suite("Consent: dead letters and other events")
struct ConsentFailureTests {
    private let projection = ConsentProjection()

    /// A broken consent event, the reason expected, and values that reason must not contain.
    struct BrokenConsent: Sendable, CustomTestStringConvertible {
        /// The event type.
        var type: String
        /// The field to change, as a dotted path (`grantee.type`).
        var field: String
        /// The JSON text put at `field`; nil removes it.
        var json: String?
        /// The dead-letter reason expected.
        var reason: String
        /// Values the reason must not contain.
        var secrets: [String]
        /// The field, to tell cases apart in test output.
        var testDescription: String { "\(type) \(field)" }
    }

    /// One broken event per kind of rule a consent event can break.
    static let brokenEvents: [BrokenConsent] = [
        BrokenConsent(
            type: "ConsentGranted",
            field: "nhsNumber",
            json: #""9434765918""#,
            reason: "data.nhsNumber: fails the Modulus 11 check",
            secrets: ["9434765918"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "scopes",
            json: #"["timeline","prescriptions"]"#,
            reason: "data.scopes[1]: must be one of timeline, results, appointments, journal, medications",
            secrets: ["prescriptions", "9434765919"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "scopes",
            json: "[]",
            reason: "data.scopes: must name at least one scope",
            secrets: ["9434765919"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "grantee.type",
            json: #""Dr Jane Smith""#,
            reason: "data.grantee.type: must be one of organisation, role, person",
            secrets: ["Jane", "Smith"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "purpose",
            json: #""marketing""#,
            reason: "data.purpose: must be one of direct-care, research",
            secrets: ["marketing"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "grantedAt",
            json: #""2026-01-01T00:00:00""#,
            reason: "data.grantedAt: timestamp must carry an offset (Z or ±hh:mm)",
            secrets: ["2026-01-01"]
        ),
        BrokenConsent(
            type: "ConsentGranted",
            field: "grantee.id",
            json: nil,
            reason: "data.grantee.id: required field is missing",
            secrets: ["W97016"]
        ),
        BrokenConsent(
            type: "ConsentWithdrawn",
            field: "withdrawnAt",
            json: nil,
            reason: "data.withdrawnAt: required field is missing",
            secrets: ["9434765919"]
        ),
        BrokenConsent(
            type: "ConsentWithdrawn",
            field: "consentId",
            json: #""""#,
            reason: "data.consentId: must not be empty",
            secrets: ["9434765919"]
        ),
    ]

    @Test(arguments: brokenEvents)
    func aBrokenEventIsAnInvalidPayloadWithAReasonFreeOfPatientData(_ broken: BrokenConsent) {
        let valid = broken.type == "ConsentGranted" ? Payloads.consentGranted() : Payloads.consentWithdrawn()
        let payload = broken.json.map { valid.setting(broken.field, json: $0) } ?? valid.setting(broken.field, to: nil)
        let failure = #expect(throws: ProjectionFailure.self) {
            try projection.changes(for: recordedEvent(broken.type, payload))
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == broken.reason)
        for secret in broken.secrets {
            #expect(failure?.reason.contains(secret) == false, "\(secret)")
        }
    }

    @Test(arguments: ["ConsentGranted", "ConsentWithdrawn"])
    func anUnknownSchemaVersionNeedsANewerProjection(_ type: String) {
        let payload = type == "ConsentGranted" ? Payloads.consentGranted() : Payloads.consentWithdrawn()
        let failure = #expect(throws: ProjectionFailure.self) {
            try projection.changes(for: recordedEvent(type, payload, metadata: Payloads.metadata(schemaVersion: 2)))
        }
        #expect(failure?.category == .unsupportedSchemaVersion)
        #expect(failure?.reason == "metadata.schemaVersion: \(type) supports schema version 1")
    }

    @Test(arguments: ["AppointmentBooked", "TestResultRecorded", "PatientRegistered", "SomethingNew"])
    func eventsTheConsentReadModelDoesNotHandleChangeNothing(_ type: String) throws {
        #expect(!projection.eventTypes.contains(type))
        #expect(try projection.changes(for: recordedEvent(type, Payloads.consentGranted())).isEmpty)
    }

    @Test func handlesTheConsentEventsIntoTwoTables() {
        #expect(projection.name == "consent")
        #expect(projection.version == 3)
        #expect(projection.eventTypes == ["ConsentGranted", "ConsentWithdrawn", "PatientRecordsMerged"])
        #expect(
            projection.tables == [
                TableSpec(name: "consents", primaryKey: ["consent_id"]),
                TableSpec(name: "consent_history", primaryKey: ["consent_id", "global_position"]),
                TableSpec(name: "merged_numbers", primaryKey: ["nhs_number"]),
            ]
        )
    }
}
