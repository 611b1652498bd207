/// `RepeatPrescriptionApproved`: the practice approves a repeat request.
public struct RepeatPrescriptionApproved: EventPayload {
    /// `RepeatPrescriptionApproved`.
    public static let eventType = "RepeatPrescriptionApproved"

    /// The request.
    public var requestID: String
    /// Its medication.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was approved.
    public var approvedAt: Timestamp
    /// Who approved it.
    public var approvedBy: Organisation

    private enum CodingKeys: String, CodingKey {
        case requestID = "requestId"
        case medicationID = "medicationId"
        case nhsNumber, approvedAt, approvedBy
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.id(.requestID)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        approvedAt = try container.timestamp(.approvedAt)
        approvedBy = try container.decode(Organisation.self, forKey: .approvedBy)
    }
}
