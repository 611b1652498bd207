import ProjectionContract
import ProjectionCore
import Testing

/// `TestResultRecorded` schema versions 1 (upcast) and 2.
@Suite("TestResultRecorded versions")
struct TestResultUpcastTests {
    @Test func versionOneSplitsNumberAndUnitWithUnknownInterpretationAndNoRange() throws {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecordedVersion1(value: "5.4 mmol/L"),
            metadata: Payloads.metadata(schemaVersion: 1)
        )
        let decoded = try decode(TestResultRecorded.self, from: event)
        #expect(decoded.metadata.schemaVersion == 1)
        #expect(decoded.payload.value == ResultValue(numeric: 5.4, text: "5.4"))
        #expect(decoded.payload.unit == "mmol/L")
        #expect(decoded.payload.referenceRange == nil)
        #expect(decoded.payload.interpretation == .unknown)
        #expect(decoded.payload.status == .final)
    }

    @Test func versionOneIgnoresAnInterpretationOrRangeItNeverHad() throws {
        let payload = Payloads.testResultRecordedVersion1()
            .setting("interpretation", to: "high")
            .setting("referenceRange", to: ["low": 1])
        let event = recordedEvent("TestResultRecorded", payload, metadata: Payloads.metadata(schemaVersion: 1))
        let decoded = try decode(TestResultRecorded.self, from: event)
        #expect(decoded.payload.interpretation == .unknown)
        #expect(decoded.payload.referenceRange == nil)
    }

    @Test func anUnparseableVersionOneValueIsKeptAsTextAndIsNotAFailure() throws {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecordedVersion1(value: "see report"),
            metadata: Payloads.metadata(schemaVersion: 1)
        )
        let decoded = try decode(TestResultRecorded.self, from: event)
        #expect(decoded.payload.value == ResultValue(numeric: nil, text: "see report"))
        #expect(decoded.payload.unit == nil)
        #expect(decoded.payload.interpretation == .unknown)
    }

    @Test(arguments: [
        ("5.4 mmol/L", 5.4 as Double?, "5.4", "mmol/L" as String?),
        ("  12 %", 12, "12", "%"),
        ("0.80 x10^9/L", 0.8, "0.80", "x10^9/L"),
        ("-3.5 mmol/L", -3.5, "-3.5", "mmol/L"),
        ("140mmol/L", 140, "140", "mmol/L"),
        ("7.2", 7.2, "7.2", nil),
        ("see report", nil, "see report", nil),
        ("<5 mmol/L", nil, "<5 mmol/L", nil),
        ("120/80 mmHg", nil, "120/80 mmHg", nil),
        ("5,4 mmol/L", nil, "5,4 mmol/L", nil),
        ("1:160", nil, "1:160", nil),
        ("Positive", nil, "Positive", nil),
    ])
    func versionOneValuesSplitOnlyWhenTheyStartWithANumberAndAUnit(
        _ raw: String,
        _ numeric: Double?,
        _ text: String,
        _ unit: String?
    ) {
        let (value, parsedUnit) = ResultValue.upcastingVersion1(raw)
        #expect(value.numeric == numeric)
        #expect(value.text == text)
        #expect(parsedUnit == unit)
    }

    @Test func versionTwoKeepsANumericValueWithItsUnitRangeAndInterpretation() throws {
        let decoded = try decode(
            TestResultRecorded.self,
            from: recordedEvent("TestResultRecorded", Payloads.testResultRecorded())
        )
        #expect(decoded.payload.value == ResultValue(numeric: 5.4, text: "5.4"))
        #expect(decoded.payload.unit == "mmol/L")
        #expect(decoded.payload.referenceRange == ReferenceRange(low: 3.5, high: 7.8))
        #expect(decoded.payload.interpretation == .normal)
        #expect(decoded.payload.orderID == "order-1")
    }

    @Test(arguments: [
        ("12", 12 as Double?, "12"),
        (#""Positive""#, nil, "Positive"),
        (#""6.1""#, 6.1, "6.1"),
        (#""<0.5""#, nil, "<0.5"),
    ])
    func versionTwoValuesAreNumbersOrStringsKeptInBothForms(
        _ valueJSON: String,
        _ numeric: Double?,
        _ text: String
    )
        throws
    {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded().setting("value", json: valueJSON)
        )
        let value = try decode(TestResultRecorded.self, from: event).payload.value
        #expect(value.numeric == numeric)
        #expect(value.text == text)
    }

    @Test func versionTwoRequiresAnInterpretation() {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded().setting("interpretation", to: nil)
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: event)
        }
        #expect(failure?.reason == "data.interpretation: required field is missing")
    }

    @Test(arguments: ["true", "{}", "[5.4]"])
    func aValueThatIsNeitherNumberNorStringIsInvalid(_ valueJSON: String) {
        let event = recordedEvent(
            "TestResultRecorded",
            Payloads.testResultRecorded().setting("value", json: valueJSON)
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(TestResultRecorded.self, from: event)
        }
        #expect(failure?.reason == "data.value: must be a number or a string")
    }
}
