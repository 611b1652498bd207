import ProjectionCore
import ResultsProjection
import Testing

/// `TestResultRecorded` in the results read model: the current version and its history row.
@Suite("Results: recording")
struct ResultsRecordingTests {
    private let results = ResultsProjection()

    @Test func recordingInsertsTheResultThenOverwritesWhatARecordingStatesAndAddsAVersion() throws {
        let changes = try results.changes(
            for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 21)
        )
        let reading: Columns = [
            "value_numeric": "5.4", "value_text": "5.4", "unit": "mmol/L", "range_low": "3.5", "range_high": "7.8",
            "range_text": nil, "interpretation": "normal", "abnormal": false,
        ]
        let recorded = reading.merging(
            [
                "nhs_number": "9434765919", "order_id": "order-1", "test_code": "GLU",
                "test_system": "urn:lims:cardiff",
                "test_name_en": "Glucose", "test_name_cy": "Glwcos", "cy_fallback": false, "status": "final",
                "collected_at": "2026-02-02T08:15:00Z", "resulted_at": "2026-02-02T15:40:00+00:00",
                "performer_ods": "7A4BV", "performer_name": "UHW Biochemistry",
                "report_location": "https://results.example.nhs.wales/reports/result-1",
                "source_schema_version": 2, "source_system": "W97016", "last_position": 21,
            ]
        ) { $1 }
        let created = recorded.merging(
            ["amendment_count": 0, "amended_at": nil, "entered_in_error_at": nil, "visible_to_patient": true]
        ) { $1 }
        let version = reading.merging(
            [
                "nhs_number": "9434765919", "change": "recorded", "changed_at": "2026-02-02T15:40:00+00:00",
                "status": "final", "reason": nil, "last_position": 21,
            ]
        ) { $1 }
        #expect(
            changes == [
                .insert("lab_results", key: ["result-1"], created),
                .update("lab_results", key: ["result-1"], recorded),
                .insert("result_history", key: ["result-1", 21], version),
            ]
        )
    }

    @Test func aNewResultStartsVisibleWithNoAmendments() throws {
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1))
        let row = try #require(store.result("result-1"))
        #expect(row["amendment_count"] == 0)
        #expect(row["visible_to_patient"] == true)
        #expect(row["amended_at"] == SQLValue.null)
        #expect(row.count == 28)
        #expect(store.history("result-1").count == 1)
    }

    @Test func aVersionOneResultIsUpcastWithAnUnknownInterpretation() throws {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecordedVersion1(value: "5.4 mmol/L"),
            metadata: Payloads.metadata(schemaVersion: 1)
        )
        var store = ResultsStore()
        try store.apply(event)
        let row = try #require(store.result("result-1"))
        #expect(row["value_numeric"] == "5.4")
        #expect(row["value_text"] == "5.4")
        #expect(row["unit"] == "mmol/L")
        #expect(row["interpretation"] == "unknown")
        #expect(row["abnormal"] == SQLValue.null)
        #expect(row["range_low"] == SQLValue.null)
        #expect(row["range_high"] == SQLValue.null)
        #expect(row["source_schema_version"] == 1)
        #expect(store.history("result-1").first?["interpretation"] == "unknown")
    }

    @Test func anUnparseableVersionOneValueIsKeptAsTextWithNoNumberAndIsNotDeadLettered() throws {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecordedVersion1(value: "see report"),
            metadata: Payloads.metadata(schemaVersion: 1)
        )
        var store = ResultsStore()
        #expect(try store.apply(event))
        let row = try #require(store.result("result-1"))
        #expect(row["value_numeric"] == SQLValue.null)
        #expect(row["value_text"] == "see report")
        #expect(row["unit"] == SQLValue.null)
        #expect(row["interpretation"] == "unknown")
    }

    @Test func aTestNameWithoutWelshFallsBackToEnglishAndIsFlagged() throws {
        let payload = Payloads.testResultRecorded().setting("test.name", to: ["en": "Ferritin"])
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", payload))
        let row = try #require(store.result("result-1"))
        #expect(row["test_name_en"] == "Ferritin")
        #expect(row["test_name_cy"] == "Ferritin")
        #expect(row["cy_fallback"] == true)
    }

    @Test(arguments: [
        ("normal", false as Bool?), ("low", true), ("high", true), ("abnormal", true), ("critical", true),
    ])
    func abnormalFollowsTheInterpretation(_ interpretation: String, _ abnormal: Bool?) throws {
        let payload = Payloads.testResultRecorded().setting("interpretation", to: interpretation)
        let change = try #require(try results.changes(for: recordedEvent("TestResultRecorded", payload)).first)
        guard case .insert(let row) = change.kind else {
            Issue.record("expected an insert")
            return
        }
        #expect(row["interpretation"] == .text(interpretation))
        #expect(row["abnormal"] == .bool(abnormal))
    }

    @Test func numbersAreStoredAsTheExactDecimalAndTextValuesHaveNoNumber() throws {
        var store = ResultsStore()
        let decimal = Payloads.testResultRecorded()
            .setting("value", to: "0.80")
            .setting("referenceRange", to: ["low": 12, "text": "12 or more"])
        try store.apply(recordedEvent("TestResultRecorded", decimal, position: 1))
        var row = try #require(store.result("result-1"))
        #expect(row["value_numeric"] == "0.80")
        #expect(row["value_text"] == "0.80")
        #expect(row["range_low"] == "12")
        #expect(row["range_high"] == SQLValue.null)
        #expect(row["range_text"] == "12 or more")

        let text = Payloads.testResultRecorded().setting("value", to: "Positive").setting("unit", to: nil)
        try store.apply(recordedEvent("TestResultRecorded", text, position: 2))
        row = try #require(store.result("result-1"))
        #expect(row["value_numeric"] == SQLValue.null)
        #expect(row["value_text"] == "Positive")
        #expect(row["unit"] == SQLValue.null)
    }

    @Test func recordingAgainOverwritesTheResultButKeepsItsAmendmentCount() throws {
        var store = ResultsStore()
        let preliminary = Payloads.testResultRecorded().setting("status", to: "preliminary")
        try store.apply(recordedEvent("TestResultRecorded", preliminary, position: 1))
        try store.apply(recordedEvent("TestResultAmended", Payloads.testResultAmended(), position: 2))
        let final = Payloads.testResultRecorded()
            .setting("value", to: 6.2)
            .setting("resultedAt", to: "2026-02-04T10:00:00Z")
        try store.apply(recordedEvent("TestResultRecorded", final, position: 3))

        let row = try #require(store.result("result-1"))
        #expect(row["amendment_count"] == 1)
        #expect(row["amended_at"] == "2026-02-03T09:00:00Z")
        #expect(row["status"] == "final")
        #expect(row["value_numeric"] == "6.2")
        #expect(row["resulted_at"] == "2026-02-04T10:00:00Z")
        #expect(row["last_position"] == 3)
        #expect(store.history("result-1").map { $0["change"] } == ["recorded", "amended", "recorded"])
    }

    @Test func aResultEnteredInErrorStaysHiddenWhenItIsRecordedAgain() throws {
        var store = ResultsStore()
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 1))
        try store.apply(recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError(), position: 2))
        try store.apply(recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 3))
        let row = try #require(store.result("result-1"))
        #expect(row["visible_to_patient"] == false)
        #expect(row["entered_in_error_at"] == "2026-01-15T12:00:00Z")
        #expect(row["last_position"] == 3)
    }

    @Test func coalescingARecordingInsertsTheNewRowAndSetsAllButTheCountersOfAnExistingOne() throws {
        var coalescer = Coalescer()
        coalescer.add(
            contentsOf: try results.changes(for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded()))
        )
        let table = try #require(coalescer.changesByTable().first { $0.table == "lab_results" })
        guard case .merge(let insert, let set) = try #require(table.rows.first).change else {
            Issue.record("expected a merge")
            return
        }
        #expect(insert?["amendment_count"] == 0)
        #expect(insert?["visible_to_patient"] == true)
        for column in ["amendment_count", "amended_at", "entered_in_error_at", "visible_to_patient"] {
            #expect(set[column] == nil, "\(column)")
        }
        #expect(set["status"] == "final")
    }
}
