/// `TestResultRecorded`: a laboratory records a result (stream `labresult-<resultId>`), in the version 2 shape.
///
/// Version 1 payloads (older producers) are upcast while decoding: their `value` string
/// (`"5.4 mmol/L"`) is split into `value` and `unit`, `referenceRange` is nil and `interpretation` is
/// `unknown`. A version 1 value that does not split (`"see report"`) is kept as text with no number.
public struct TestResultRecorded: EventPayload {
    /// `TestResultRecorded`.
    public static let eventType = "TestResultRecorded"
    /// Version 2: `value` is a number or a string, with `referenceRange` and `interpretation`.
    public static let currentSchemaVersion = 2

    /// The result.
    public var resultID: String
    /// The order it answers, when the producer knows it.
    public var orderID: String?
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The test.
    public var test: LabTest
    /// The value, numeric and as text.
    public var value: ResultValue
    /// The unit of `value` (`mmol/L`), when it has one.
    public var unit: String?
    /// The reference range; nil in version 1 and when the producer sends none.
    public var referenceRange: ReferenceRange?
    /// How the value reads against the range; `unknown` only for upcast version 1 payloads.
    public var interpretation: Interpretation
    /// Preliminary or final.
    public var status: ResultStatus
    /// When the sample was collected.
    public var collectedAt: Timestamp
    /// When the result was produced.
    public var resultedAt: Timestamp
    /// The laboratory that produced it.
    public var performer: Organisation
    /// Where the full report is held, a URI: what "show more" follows.
    public var reportLocation: String

    private enum CodingKeys: String, CodingKey {
        case resultID = "resultId"
        case orderID = "orderId"
        case nhsNumber, test, value, unit, referenceRange, interpretation, status, collectedAt, resultedAt
        case performer, reportLocation
    }

    /// Decodes and validates the payload, upcasting version 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resultID = try container.id(.resultID)
        orderID = try container.idIfPresent(.orderID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        test = try container.decode(LabTest.self, forKey: .test)
        if (decoder.contractSchemaVersion ?? TestResultRecorded.currentSchemaVersion) == 1 {
            (value, unit) = try TestResultRecorded.upcastValue(container)
            referenceRange = nil
            interpretation = .unknown
        } else {
            value = try container.decode(ResultValue.self, forKey: .value)
            unit = try container.textIfPresent(.unit)
            referenceRange = try container.decodeIfPresent(ReferenceRange.self, forKey: .referenceRange)
            if referenceRange?.isEmpty == true { referenceRange = nil }
            interpretation = try container.enumeration(.interpretation)
        }
        status = try container.enumeration(.status)
        collectedAt = try container.timestamp(.collectedAt)
        resultedAt = try container.timestamp(.resultedAt)
        performer = try container.decode(Organisation.self, forKey: .performer)
        reportLocation = try container.uri(.reportLocation)
    }

    /// The version 1 `value`, split into value and unit; a `unit` field, if a producer sent one, fills a gap.
    private static func upcastValue(
        _ container: KeyedDecodingContainer<CodingKeys>
    ) throws -> (ResultValue, String?) {
        let separateUnit = try container.textIfPresent(.unit)
        guard let text = try? container.decode(String.self, forKey: .value) else {
            // Not a string: a number is accepted as is; anything else fails with the field's path.
            return (try container.decode(ResultValue.self, forKey: .value), separateUnit)
        }
        guard !text.isBlank else {
            throw ContractViolation("must not be empty", at: container.codingPath, CodingKeys.value)
        }
        try text.checkStorable(at: container.codingPath, CodingKeys.value)
        let (value, unit) = ResultValue.upcastingVersion1(text)
        return (value, unit ?? (value.numeric == nil ? nil : separateUnit))
    }
}
