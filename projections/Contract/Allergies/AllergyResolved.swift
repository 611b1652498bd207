/// `AllergyResolved`: the allergy no longer applies.
public struct AllergyResolved: EventPayload {
    /// `AllergyResolved`.
    public static let eventType = "AllergyResolved"

    /// The allergy.
    public var allergyID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was resolved.
    public var resolvedAt: Timestamp

    private enum CodingKeys: String, CodingKey {
        case allergyID = "allergyId"
        case nhsNumber, resolvedAt
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allergyID = try container.id(.allergyID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        resolvedAt = try container.timestamp(.resolvedAt)
    }
}
