/// `RepeatPrescriptionRejected`: the practice turns a repeat request down, with a reason for the patient.
public struct RepeatPrescriptionRejected: EventPayload {
    /// `RepeatPrescriptionRejected`.
    public static let eventType = "RepeatPrescriptionRejected"

    /// The request.
    public var requestID: String
    /// Its medication.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was rejected.
    public var rejectedAt: Timestamp
    /// Why, in English and Welsh (shown to the patient).
    public var reason: BilingualText

    private enum CodingKeys: String, CodingKey {
        case requestID = "requestId"
        case medicationID = "medicationId"
        case nhsNumber, rejectedAt, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.id(.requestID)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        rejectedAt = try container.timestamp(.rejectedAt)
        reason = try container.decode(BilingualText.self, forKey: .reason)
    }
}
