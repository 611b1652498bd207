/// `TestResultAmended`: a laboratory corrects a recorded result.
public struct TestResultAmended: EventPayload {
    /// `TestResultAmended`.
    public static let eventType = "TestResultAmended"

    /// The result.
    public var resultID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The corrected value, numeric and as text.
    public var value: ResultValue
    /// The unit of `value`, when it has one.
    public var unit: String?
    /// The corrected reference range, when the producer sends one.
    public var referenceRange: ReferenceRange?
    /// How the corrected value reads against the range.
    public var interpretation: Interpretation
    /// Why it was amended, as free text.
    public var reason: String
    /// When it was amended.
    public var amendedAt: Timestamp

    private enum CodingKeys: String, CodingKey {
        case resultID = "resultId"
        case nhsNumber, value, unit, referenceRange, interpretation, reason, amendedAt
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resultID = try container.id(.resultID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        value = try container.decode(ResultValue.self, forKey: .value)
        unit = try container.textIfPresent(.unit)
        referenceRange = try container.decodeIfPresent(ReferenceRange.self, forKey: .referenceRange)
        if referenceRange?.isEmpty == true { referenceRange = nil }
        interpretation = try container.enumeration(.interpretation)
        reason = try container.text(.reason)
        amendedAt = try container.timestamp(.amendedAt)
    }
}
