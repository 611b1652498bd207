import ProjectionCore
import ResultsProjection
import Testing

/// `TestOrdered`, the events the results read model ignores, and the events it dead-letters.
@Suite("Results: orders and dead letters")
struct ResultsOrderAndFailureTests {
    private let results = ResultsProjection()

    @Test func orderingUpsertsTheWholeOrder() throws {
        let changes = try results.changes(for: recordedEvent("TestOrdered", Payloads.testOrdered(), position: 20))
        #expect(
            changes == [
                .upsert(
                    "orders",
                    key: ["order-1"],
                    [
                        "nhs_number": "9434765919",
                        "ordered_at": "2026-02-01T10:00:00Z",
                        "test_code": "HBA1C",
                        "test_system": "urn:lims:cardiff",
                        "test_name_en": "HbA1c",
                        "test_name_cy": "HbA1c",
                        "cy_fallback": false,
                        "ordered_by_ods": "W97016",
                        "ordered_by_name": "Dr Rhys Evans",
                        "source_system": "W97016",
                        "last_position": 20,
                    ]
                )
            ]
        )
    }

    @Test func anOrderedTestWithoutAWelshNameFallsBackToEnglishAndIsFlagged() throws {
        let payload = Payloads.testOrdered().setting("test.name", to: ["en": "Full blood count", "cy": "  "])
        var store = ResultsStore()
        try store.apply(recordedEvent("TestOrdered", payload))
        let row = try #require(store.order("order-1"))
        #expect(row["test_name_cy"] == "Full blood count")
        #expect(row["cy_fallback"] == true)
    }

    @Test func handlesTheFourLaboratoryEventsAndNothingElse() throws {
        #expect(
            results.eventTypes == [
                "TestOrdered", "TestResultRecorded", "TestResultAmended", "TestResultEnteredInError",
                "PatientRecordsMerged",
            ]
        )
        #expect(results.name == "results")
        #expect(results.version == 2)
        #expect(try results.changes(for: recordedEvent("AppointmentBooked", Payloads.appointmentBooked())).isEmpty)
        #expect(try results.changes(for: recordedEvent("SomethingNew", json: "not even JSON")).isEmpty)
    }

    @Test func declaresItsTablesAndKeys() {
        #expect(
            results.tables == [
                TableSpec(name: "lab_results", primaryKey: ["result_id"]),
                TableSpec(name: "orders", primaryKey: ["order_id"]),
                TableSpec(name: "result_history", primaryKey: ["result_id", "global_position"]),
                TableSpec(name: "merged_numbers", primaryKey: ["nhs_number"]),
            ]
        )
    }

    @Test(arguments: ["TestOrdered", "TestResultRecorded", "TestResultAmended", "TestResultEnteredInError"])
    func anInvalidNHSNumberIsDeadLetteredWithoutTheNumber(_ type: String) {
        let payload = Self.payload(type).setting("nhsNumber", to: "9434765918")
        let failure = #expect(throws: ProjectionFailure.self) {
            try results.changes(for: recordedEvent(type, payload))
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == "data.nhsNumber: fails the Modulus 11 check")
    }

    @Test func aMissingResultIDIsDeadLettered() {
        let failure = #expect(throws: ProjectionFailure.self) {
            try results.changes(
                for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded().setting("resultId", to: nil))
            )
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == "data.resultId: required field is missing")
    }

    @Test func anInterpretationOnlyTheUpcastMayProduceIsDeadLettered() {
        let payload = Payloads.testResultRecorded().setting("interpretation", to: "unknown")
        let failure = #expect(throws: ProjectionFailure.self) {
            try results.changes(for: recordedEvent("TestResultRecorded", payload))
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason.hasPrefix("data.interpretation: must be one of") == true)
    }

    @Test(arguments: [("TestResultRecorded", 3), ("TestResultAmended", 2), ("TestOrdered", 0)])
    func anUnknownSchemaVersionIsDeadLetteredForANewerProjection(_ type: String, _ version: Int) {
        let event = recordedEvent(type, Self.payload(type), metadata: Payloads.metadata(schemaVersion: version))
        let failure = #expect(throws: ProjectionFailure.self) {
            try results.changes(for: event)
        }
        #expect(failure?.category == .unsupportedSchemaVersion)
    }

    @Test func theRequirementsReasonHoldsNoPatientData() throws {
        let payload = Payloads.testResultEnteredInError().setting("reason", to: "Sample from Megan Jones")
        let changes = try results.changes(for: recordedEvent("TestResultEnteredInError", payload))
        let reason = try #require(changes.first?.requirement)
        for secret in [Payloads.nhsNumber, "result-1", "Megan"] {
            #expect(!reason.contains(secret))
        }
    }

    /// A valid payload of `type`.
    private static func payload(_ type: String) -> [String: Any] {
        switch type {
        case "TestOrdered": Payloads.testOrdered()
        case "TestResultAmended": Payloads.testResultAmended()
        case "TestResultEnteredInError": Payloads.testResultEnteredInError()
        default: Payloads.testResultRecorded()
        }
    }
}
