import ProjectionCore
import ResultsProjection
import Testing

/// `TestResultAmended` and `TestResultEnteredInError`: corrections of a recorded result.
@Suite("Results: amendments and entries in error")
struct ResultsCorrectionTests {
    private let results = ResultsProjection()

    @Test func amendingRequiresTheResultThenUpdatesItsReadingAndCountAndAddsAVersion() throws {
        let changes = try results.changes(
            for: recordedEvent("TestResultAmended", Payloads.testResultAmended(), position: 22)
        )
        let reading: Columns = [
            "value_numeric": "8.1", "value_text": "8.1", "unit": "mmol/L", "range_low": nil, "range_high": nil,
            "range_text": nil, "interpretation": "high", "abnormal": true,
        ]
        #expect(
            changes == [
                .require("lab_results", key: ["result-1"], because: "result not recorded"),
                .update(
                    "lab_results",
                    key: ["result-1"],
                    reading.merging(
                        [
                            "status": "amended", "amended_at": "2026-02-03T09:00:00Z",
                            "amendment_count": .increment(1), "last_position": 22,
                        ]
                    ) { $1 }
                ),
                .insert(
                    "result_history",
                    key: ["result-1", 22],
                    reading.merging(
                        [
                            "nhs_number": "9434765919", "change": "amended", "changed_at": "2026-02-03T09:00:00Z",
                            "status": "amended", "reason": "Transcription error", "last_position": 22,
                        ]
                    ) { $1 }
                ),
            ]
        )
    }

    @Test func twoAmendmentsCountTwoAndTheLatestValueWins() throws {
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1))
        try store.apply(recordedEvent("TestResultAmended", Payloads.testResultAmended(), position: 2))
        let second = Payloads.testResultAmended()
            .setting("value", to: 7.0)
            .setting("interpretation", to: "normal")
            .setting("referenceRange", to: ["low": 3.5, "high": 7.8])
            .setting("amendedAt", to: "2026-02-04T09:00:00Z")
        try store.apply(recordedEvent("TestResultAmended", second, position: 3))

        let row = try #require(store.result("result-1"))
        #expect(row["amendment_count"] == 2)
        #expect(row["status"] == "amended")
        #expect(row["value_numeric"] == "7")
        #expect(row["abnormal"] == false)
        #expect(row["range_high"] == "7.8")
        #expect(row["amended_at"] == "2026-02-04T09:00:00Z")
        #expect(row["last_position"] == 3)
        #expect(store.history("result-1").map { $0["change"] } == ["recorded", "amended", "amended"])
    }

    @Test func anAmendmentStatesTheWholeReadingSoAnOmittedUnitOrRangeIsCleared() throws {
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1))
        let amendment = Payloads.testResultAmended()
            .setting("value", to: "Haemolysed")
            .setting("unit", to: nil)
            .setting("interpretation", to: "abnormal")
        try store.apply(recordedEvent("TestResultAmended", amendment, position: 2))
        let row = try #require(store.result("result-1"))
        #expect(row["value_numeric"] == SQLValue.null)
        #expect(row["value_text"] == "Haemolysed")
        #expect(row["unit"] == SQLValue.null)
        #expect(row["range_low"] == SQLValue.null)
    }

    @Test(arguments: ["TestResultAmended", "TestResultEnteredInError"])
    func aCorrectionOfAResultNeverRecordedIsDeadLetteredByItsRequirement(_ type: String) throws {
        let payload =
            type == "TestResultAmended" ? Payloads.testResultAmended() : Payloads.testResultEnteredInError()
        let changes = try results.changes(for: recordedEvent(type, payload, position: 5))
        #expect(changes.first == .require("lab_results", key: ["result-1"], because: "result not recorded"))
        #expect(changes.dropFirst().allSatisfy { $0.requirement == nil })

        var store = ResultsStore()
        #expect(try store.apply(recordedEvent(type, payload, position: 5)) == false)
        #expect(store.tables.isEmpty)
    }

    @Test func enteringInErrorRequiresTheResultThenHidesItAndAddsAVersion() throws {
        let changes = try results.changes(
            for: recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError(), position: 23)
        )
        let noReading: Columns = [
            "value_numeric": nil, "value_text": nil, "unit": nil, "range_low": nil, "range_high": nil,
            "range_text": nil, "interpretation": nil, "abnormal": nil,
        ]
        #expect(
            changes == [
                .require("lab_results", key: ["result-1"], because: "result not recorded"),
                .update(
                    "lab_results",
                    key: ["result-1"],
                    [
                        "status": "entered-in-error", "visible_to_patient": false,
                        "entered_in_error_at": "2026-01-15T12:00:00Z", "last_position": 23,
                    ]
                ),
                .insert(
                    "result_history",
                    key: ["result-1", 23],
                    noReading.merging(
                        [
                            "nhs_number": "9434765919", "change": "entered-in-error",
                            "changed_at": "2026-01-15T12:00:00Z", "status": "entered-in-error",
                            "reason": "Wrong patient", "last_position": 23,
                        ]
                    ) { $1 }
                ),
            ]
        )
    }

    @Test func enteringInErrorWithoutOccurredAtStillHidesTheResultAndLeavesItsTimeUnknown() throws {
        var metadata = Payloads.metadata()
        metadata["occurredAt"] = nil
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1))
        let event = recordedEvent(
            "TestResultEnteredInError",
            Payloads.testResultEnteredInError(),
            metadata: metadata,
            position: 2
        )
        #expect(try store.apply(event))
        let row = try #require(store.result("result-1"))
        #expect(row["visible_to_patient"] == false)
        #expect(row["status"] == "entered-in-error")
        #expect(row["entered_in_error_at"] == SQLValue.null)
        #expect(store.history("result-1").last?["changed_at"] == SQLValue.null)
    }

    @Test func theHistoryKeepsEveryVersionInOrderAndAReplayAddsNone() throws {
        let events = [
            recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1),
            recordedEvent("TestResultAmended", Payloads.testResultAmended(), position: 2),
            recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError(), position: 3),
        ]
        var store = ResultsStore()
        for event in events { try store.apply(event) }
        let once = store.history("result-1")
        #expect(once.map { $0["change"] } == ["recorded", "amended", "entered-in-error"])
        #expect(once.map { $0["status"] } == ["final", "amended", "entered-in-error"])
        #expect(once.map { $0["value_text"] } == ["5.4", "8.1", SQLValue.null])
        #expect(once.map { $0["last_position"] } == [1, 2, 3])

        for event in events { try store.apply(event) }
        #expect(store.history("result-1") == once)
    }
}
