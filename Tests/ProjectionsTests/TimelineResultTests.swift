import ProjectionCore
import Testing
import TimelineProjection

/// The timeline's test order and result entries.
@Suite("Timeline: test orders and results")
struct TimelineResultTests {
    private let timeline = TimelineProjection()

    @Test func orderingUpsertsAnOrderEntry() throws {
        let changes = try timeline.changes(for: recordedEvent("TestOrdered", Payloads.testOrdered(), position: 20))
        #expect(
            changes == [
                .upsert(
                    "entries",
                    key: ["order:order-1"],
                    [
                        "nhs_number": "9434765919",
                        "kind": "test-order",
                        "occurred_at": "2026-02-01T10:00:00Z",
                        "status": "ordered",
                        "title_en": "Test ordered: HbA1c",
                        "title_cy": "Prawf wedi'i archebu: HbA1c",
                        "summary_en": "Ordered by Dr Rhys Evans",
                        "summary_cy": "Wedi'i archebu gan Dr Rhys Evans",
                        "cy_fallback": false,
                        "detail_kind": "test-order",
                        "detail_id": "order-1",
                        "detail_location": nil,
                        "source_system": "W97016",
                        "visible_to_patient": true,
                        "shared_with_care_team": nil,
                        "last_position": 20,
                    ]
                )
            ]
        )
    }

    @Test func recordingAResultCreatesItsEntryAndMarksItsOrderResulted() throws {
        let changes = try timeline.changes(
            for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 21)
        )
        let row: Columns = [
            "nhs_number": "9434765919",
            "kind": "result",
            "occurred_at": "2026-02-02T15:40:00+00:00",
            "status": "final",
            "title_en": "Test result: Glucose",
            "title_cy": "Canlyniad prawf: Glwcos",
            "summary_en": "5.4 mmol/L (normal)",
            "summary_cy": "5.4 mmol/L (arferol)",
            "cy_fallback": false,
            "detail_kind": "result",
            "detail_id": "result-1",
            "detail_location": "https://results.example.nhs.wales/reports/result-1",
            "source_system": "W97016",
            "visible_to_patient": true,
            "shared_with_care_team": nil,
            "last_position": 21,
        ]
        var overwrite = row
        overwrite["visible_to_patient"] = nil
        #expect(
            changes == [
                .insert("entries", key: ["result:result-1"], row),
                .update("entries", key: ["result:result-1"], overwrite),
                .update("entries", key: ["order:order-1"], ["status": "resulted", "last_position": 21]),
            ]
        )
    }

    @Test func aResultWithoutAnOrderTouchesNoOrder() throws {
        let payload = Payloads.testResultRecorded().setting("orderId", to: nil)
        let changes = try timeline.changes(for: recordedEvent("TestResultRecorded", payload))
        #expect(changes.allSatisfy { $0.key == ["result:result-1"] })
    }

    @Test func aPreliminaryResultWithAStringValueAndWelshMissingIsSummarisedAndFlagged() throws {
        let payload = Payloads.testResultRecorded()
            .setting("value", to: "Positive")
            .setting("unit", to: nil)
            .setting("interpretation", to: "abnormal")
            .setting("status", to: "preliminary")
            .setting("test.name", to: ["en": "COVID-19 PCR"])
        let change = try #require(try timeline.changes(for: recordedEvent("TestResultRecorded", payload)).first)
        let row = try #require(change.upsertedColumns)
        #expect(row["status"] == "preliminary")
        #expect(row["summary_en"] == "Positive (abnormal)")
        #expect(row["summary_cy"] == "Positive (annormal)")
        #expect(row["title_cy"] == "Canlyniad prawf: COVID-19 PCR")
        #expect(row["cy_fallback"] == true)
    }

    @Test(arguments: [("5.4 mmol/L", "5.4 mmol/L"), ("see report", "see report")])
    func aVersionOneResultIsSummarisedWithoutAnInterpretation(_ value: String, _ summary: String) throws {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecordedVersion1(value: value),
            metadata: Payloads.metadata(schemaVersion: 1)
        )
        let row = try #require(try timeline.changes(for: event).first?.upsertedColumns)
        #expect(row["summary_en"] == .text(summary))
        #expect(row["summary_cy"] == .text(summary))
    }

    @Test func amendingShowsTheCorrectedValue() throws {
        let changes = try timeline.changes(
            for: recordedEvent("TestResultAmended", Payloads.testResultAmended(), position: 22)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["result:result-1"],
                    [
                        "status": "amended",
                        "summary_en": "8.1 mmol/L (high)",
                        "summary_cy": "8.1 mmol/L (uchel)",
                        "last_position": 22,
                    ]
                )
            ]
        )
    }

    @Test func enteredInErrorHidesTheEntryButKeepsIt() throws {
        let changes = try timeline.changes(
            for: recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError(), position: 23)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["result:result-1"],
                    ["status": "entered-in-error", "visible_to_patient": false, "last_position": 23]
                )
            ]
        )
    }

    @Test func aResultEnteredInErrorStaysHiddenWhenItIsSentAgain() throws {
        var table = InMemoryTable()
        table.apply(try timeline.changes(for: recordedEvent("TestOrdered", Payloads.testOrdered(), position: 1)))
        table.apply(
            try timeline.changes(for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 2))
        )
        #expect(table["order:order-1"]?["status"] == "resulted")
        #expect(table["order:order-1"]?["last_position"] == 2)

        table.apply(
            try timeline.changes(
                for: recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError(), position: 3)
            )
        )
        table.apply(
            try timeline.changes(for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded(), position: 4))
        )
        let row = try #require(table["result:result-1"])
        #expect(row["visible_to_patient"] == false)
        #expect(row["last_position"] == 4)
    }

    @Test func coalescingARecordedResultGivesTheSameRowAsApplyingItsChanges() throws {
        let changes = try timeline.changes(for: recordedEvent("TestResultRecorded", Payloads.testResultRecorded()))
        var coalescer = Coalescer()
        coalescer.add(contentsOf: changes)
        let results = try #require(coalescer.changesByTable().first { $0.table == "entries" })
        let resultRow = try #require(results.rows.first { $0.key == ["result:result-1"] })
        guard case .merge(let insert, let set) = resultRow.change else {
            Issue.record("expected a merge")
            return
        }
        #expect(insert?["visible_to_patient"] == true)
        #expect(set["visible_to_patient"] == nil)
        #expect(set["summary_en"] == "5.4 mmol/L (normal)")
    }
}
