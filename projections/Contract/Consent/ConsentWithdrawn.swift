/// `ConsentWithdrawn`: a patient withdraws a consent.
public struct ConsentWithdrawn: EventPayload {
    /// `ConsentWithdrawn`.
    public static let eventType = "ConsentWithdrawn"

    /// The consent.
    public var consentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When the withdrawal takes effect.
    public var withdrawnAt: Timestamp
    /// Why, as free text.
    public var reason: String?

    private enum CodingKeys: String, CodingKey {
        case consentID = "consentId"
        case nhsNumber, withdrawnAt, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        consentID = try container.id(.consentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        withdrawnAt = try container.timestamp(.withdrawnAt)
        reason = try container.textIfPresent(.reason)
    }
}
