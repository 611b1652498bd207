/// `AllergyEnteredInError`: the allergy was recorded by mistake. It leaves every patient-facing view and stays,
/// flagged, for audit.
public struct AllergyEnteredInError: EventPayload {
    /// `AllergyEnteredInError`.
    public static let eventType = "AllergyEnteredInError"

    /// The allergy.
    public var allergyID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// Why (for the record; not shown to the patient).
    public var reason: String

    private enum CodingKeys: String, CodingKey {
        case allergyID = "allergyId"
        case nhsNumber, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allergyID = try container.id(.allergyID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        reason = try container.text(.reason)
    }
}
