/// `MedicationStopped`: the course ends; no repeat of it can be requested or issued after.
public struct MedicationStopped: EventPayload {
    /// `MedicationStopped`.
    public static let eventType = "MedicationStopped"

    /// The course.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was stopped.
    public var stoppedAt: Timestamp
    /// Why, in English and Welsh, when given.
    public var reason: BilingualText?

    private enum CodingKeys: String, CodingKey {
        case medicationID = "medicationId"
        case nhsNumber, stoppedAt, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        stoppedAt = try container.timestamp(.stoppedAt)
        reason = try container.decodeIfPresent(BilingualText.self, forKey: .reason)
    }
}
