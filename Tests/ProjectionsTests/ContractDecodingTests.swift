import Foundation
import ProjectionContract
import ProjectionCore
import Testing

/// `decode(_:from:)`: metadata, schema versions, and reasons that name the field and the rule.
@Suite("Decoding through the contract")
struct ContractDecodingTests {
    @Test func decodesThePayloadAndTheMetadata() throws {
        let decoded = try decode(
            AppointmentBooked.self,
            from: recordedEvent("AppointmentBooked", Payloads.appointmentBooked())
        )
        #expect(decoded.payload.appointmentID == "appt-1")
        #expect(decoded.payload.nhsNumber.digits == Payloads.nhsNumber)
        #expect(decoded.payload.mode == .video)
        #expect(decoded.payload.endsAt?.text == "2026-03-10T09:50:00Z")
        #expect(decoded.payload.bookingReference == "123456789012")
        #expect(
            decoded.metadata
                == EventMetadata(
                    schemaVersion: 1,
                    occurredAt: Timestamp("2026-01-15T12:00:00Z"),
                    sourceSystem: "W97016",
                    correlationID: "corr-1",
                    causationID: nil
                )
        )
    }

    @Test func aMissingSchemaVersionIsTheTypesCurrentOne() throws {
        let result = try decode(
            TestResultRecorded.self,
            from: recordedEvent("TestResultRecorded", Payloads.testResultRecorded())
        )
        #expect(result.metadata.schemaVersion == 2)
        let order = try decode(TestOrdered.self, from: recordedEvent("TestOrdered", Payloads.testOrdered()))
        #expect(order.metadata.schemaVersion == 1)
    }

    @Test(arguments: [0, 3, 99])
    func anUnknownSchemaVersionIsUnsupportedNotInvalid(_ version: Int) {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded(),
            metadata: Payloads.metadata(schemaVersion: version)
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: event)
        }
        #expect(failure?.category == .unsupportedSchemaVersion)
        #expect(failure?.reason == "metadata.schemaVersion: TestResultRecorded supports schema versions 1 to 2")
    }

    @Test func aVersionTwoOfAVersionOneTypeIsUnsupported() {
        let event = recordedEvent("TestOrdered", Payloads.testOrdered(), metadata: Payloads.metadata(schemaVersion: 2))
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestOrdered.self, from: event)
        }
        #expect(failure?.category == .unsupportedSchemaVersion)
        #expect(failure?.reason == "metadata.schemaVersion: TestOrdered supports schema version 1")
    }

    @Test(arguments: [
        ("appointmentId", "data.appointmentId: required field is missing"),
        ("nhsNumber", "data.nhsNumber: required field is missing"),
        ("clinic.name", "data.clinic.name: required field is missing"),
        ("organisation.odsCode", "data.organisation.odsCode: required field is missing"),
        ("mode", "data.mode: required field is missing"),
    ])
    func aMissingFieldIsNamedInTheReason(_ path: String, _ reason: String) {
        let event = recordedEvent("AppointmentBooked", Payloads.appointmentBooked().setting(path, to: nil))
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentBooked.self, from: event)
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == reason)
    }

    @Test(arguments: [
        ("appointmentId", #""""#, "data.appointmentId: must not be empty"),
        ("appointmentId", "12", "data.appointmentId: must be a string"),
        ("specialty", "null", "data.specialty: required field is null"),
        ("nhsNumber", #""9434765918""#, "data.nhsNumber: fails the Modulus 11 check"),
        ("nhsNumber", #""943 476 5919""#, "data.nhsNumber: must be exactly 10 digits with no spaces"),
        ("mode", #""carrier-pigeon""#, "data.mode: must be one of in-person, video, telephone"),
        ("bookingReference", #""12345""#, "data.bookingReference: must be 12 digits"),
        ("clinic", "[1, 2]", "data.clinic: must be an object"),
        ("startsAt", "1741599000", "data.startsAt: must be a string"),
        ("specialty", #""Diabe\u0000tology""#, "data.specialty: must not contain the NUL character"),
        ("clinic.name.cy", #""Clinig\u0000""#, "data.clinic.name.cy: must not contain the NUL character"),
    ])
    func aBrokenRuleNamesTheFieldAndTheRule(_ path: String, _ valueJSON: String, _ reason: String) {
        let event = recordedEvent("AppointmentBooked", Payloads.appointmentBooked().setting(path, json: valueJSON))
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentBooked.self, from: event)
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == reason)
    }

    @Test(arguments: [
        ("", "data: is not valid JSON"),
        ("{\"appointmentId\": ", "data: is not valid JSON"),
        ("[1, 2]", "data: must be a JSON object"),
        ("\"AppointmentMissed\"", "data: must be a JSON object"),
    ])
    func dataThatIsNotAJSONObjectIsInvalid(_ data: String, _ reason: String) {
        let event = recordedEvent("AppointmentMissed", json: data)
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentMissed.self, from: event)
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == reason)
    }

    @Test(arguments: [
        ("[]", "metadata: must be a JSON object"),
        ("{\"schemaVersion\": \"1\"}", "metadata.schemaVersion: must be a number"),
        ("{\"schemaVersion\": 1.5}", "metadata.schemaVersion: must be a whole number"),
        (
            "{\"occurredAt\": \"2026-01-15T12:00:00\"}",
            "metadata.occurredAt: timestamp must carry an offset (Z or ±hh:mm)"
        ),
    ])
    func brokenMetadataIsInvalid(_ metadata: String, _ reason: String) {
        let event = recordedEvent("AppointmentMissed", json: json(Payloads.appointmentMissed()), metadataJSON: metadata)
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentMissed.self, from: event)
        }
        #expect(failure?.reason == reason)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let payload = Payloads.appointmentMissed()
            .setting("futureField", to: ["nested": true])
            .setting("clinicianNote", to: "ignored")
        let metadata = Payloads.metadata().setting("traceparent", to: "00-abc-def-01")
        let decoded = try decode(
            AppointmentMissed.self,
            from: recordedEvent("AppointmentMissed", payload, metadata: metadata)
        )
        #expect(decoded.payload.appointmentID == "appt-1")
    }

    @Test func consentScopesAreValidatedEachOnceInOrder() throws {
        let granted = try decode(ConsentGranted.self, from: recordedEvent("ConsentGranted", Payloads.consentGranted()))
        #expect(granted.payload.scopes == [.timeline, .results])
        #expect(granted.payload.grantee == Grantee(type: .organisation, id: "W97016"))
        #expect(granted.payload.purpose == .directCare)

        let badScope = recordedEvent(
            "ConsentGranted",
            Payloads.consentGranted().setting("scopes", to: ["results", "everything"])
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(ConsentGranted.self, from: badScope)
        }
        #expect(
            failure?.reason == "data.scopes[1]: must be one of timeline, results, appointments, journal, medications"
        )

        let none = recordedEvent("ConsentGranted", Payloads.consentGranted().setting("scopes", to: [String]()))
        let empty = #expect(throws: ProjectionFailure.self) {
            try decode(ConsentGranted.self, from: none)
        }
        #expect(empty?.reason == "data.scopes: must name at least one scope")
    }

    @Test(arguments: [("0", false), ("6", false), ("2.5", false), (#""3""#, false), ("5", true)])
    func moodIsAWholeNumberFromOneToFive(_ moodJSON: String, _ valid: Bool) {
        let event = recordedEvent("JournalEntryAdded", Payloads.journalEntryAdded().setting("mood", json: moodJSON))
        let result = Result { () throws(ProjectionFailure) in try decode(JournalEntryAdded.self, from: event) }
        switch result {
        case .success(let decoded):
            #expect(valid)
            #expect(decoded.payload.mood?.value == 5)
        case .failure(let failure):
            #expect(!valid)
            #expect(failure.reason.hasPrefix("data.mood: must be"))
        }
    }

    @Test func anOptionalIdThatIsSentMustNotBeEmpty() throws {
        let empty = recordedEvent("TestResultRecorded", Payloads.testResultRecorded().setting("orderId", to: ""))
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: empty)
        }
        #expect(failure?.reason == "data.orderId: must not be empty")

        let null = recordedEvent("TestResultRecorded", Payloads.testResultRecorded().setting("orderId", json: "null"))
        #expect(try decode(TestResultRecorded.self, from: null).payload.orderID == nil)
    }

    @Test func reportLocationMustBeAnAbsoluteURI() {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded().setting("reportLocation", to: "reports/result-1")
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: event)
        }
        #expect(failure?.reason == "data.reportLocation: must be an absolute URI")
    }

    @Test func producersMayNotSendTheUpcastOnlyInterpretation() {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded().setting("interpretation", to: "unknown")
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: event)
        }
        #expect(failure?.reason == "data.interpretation: must be one of normal, low, high, abnormal, critical")
    }

    @Test(.bug(id: 21, "an unknown field nested deeper than 512 dead-lettered the event as 'not valid JSON'"))
    func anUnknownFieldNestedPastJSONDecodersDepthIsIgnored() throws {
        let deep = String(repeating: "[", count: 2_000) + "{\"a\": [1, {}]}" + String(repeating: "]", count: 2_000)
        var payload = json(Payloads.appointmentMissed())
        payload.removeLast()
        let decoded = try decode(
            AppointmentMissed.self,
            from: recordedEvent(
                "AppointmentMissed",
                json: payload + ", \"extra\": \(deep)}",
                metadataJSON: #"{"x": \#(deep)}"#
            )
        )
        #expect(decoded.payload.nhsNumber.digits == Payloads.nhsNumber)
        // A known field that deep is still read, and refused.
        let known = #"{"appointmentId": \#(deep), "nhsNumber": "\#(Payloads.nhsNumber)"}"#
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentMissed.self, from: recordedEvent("AppointmentMissed", json: known))
        }
        #expect(failure?.category == .invalidPayload)
        // Broken JSON inside the deep part is still broken JSON.
        let broken = payload + ", \"extra\": " + deep.replacingOccurrences(of: "[1, {}]", with: "[1, {]") + "}"
        #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentMissed.self, from: recordedEvent("AppointmentMissed", json: broken))
        }
    }

    /// Found by the payload fuzzer: Foundation's JSONDecoder traps (it cannot be caught) on an unterminated
    /// document that reaches its depth limit at its last byte. No such document is in the log (jsonb
    /// stores only valid JSON), but nothing that is not JSON may reach JSONDecoder.
    @Test(.bug(id: 21, "JSONDecoder traps on [ repeated 513 times"))
    func aDocumentThatIsNotJSONNeverReachesJSONDecoder() {
        let broken = String(repeating: "[", count: 513)
        let payload = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentMissed.self, from: recordedEvent("AppointmentMissed", json: broken))
        }
        #expect(payload?.reason == "data: is not valid JSON")
        let metadata = #expect(throws: ProjectionFailure.self) {
            try decode(
                AppointmentMissed.self,
                from: recordedEvent("AppointmentMissed", json: json(Payloads.appointmentMissed()), metadataJSON: broken)
            )
        }
        #expect(metadata?.reason == "metadata: is not valid JSON")
    }
}
