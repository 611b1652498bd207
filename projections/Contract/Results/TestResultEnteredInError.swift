/// `TestResultEnteredInError`: a result was recorded against the wrong patient or in error.
///
/// The result leaves every patient-facing view but stays, flagged, for audit.
public struct TestResultEnteredInError: EventPayload {
    /// `TestResultEnteredInError`.
    public static let eventType = "TestResultEnteredInError"

    /// The result.
    public var resultID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// Why, as free text.
    public var reason: String

    private enum CodingKeys: String, CodingKey {
        case resultID = "resultId"
        case nhsNumber, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resultID = try container.id(.resultID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        reason = try container.text(.reason)
    }
}
