/// `RepeatPrescriptionRequested`: the patient (or their pharmacy or practice) asks for a repeat to be issued.
public struct RepeatPrescriptionRequested: EventPayload {
    /// `RepeatPrescriptionRequested`.
    public static let eventType = "RepeatPrescriptionRequested"

    /// The request.
    public var requestID: String
    /// The repeat medication asked for.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was asked for.
    public var requestedAt: Timestamp
    /// Where it was asked for.
    public var channel: RequestChannel

    private enum CodingKeys: String, CodingKey {
        case requestID = "requestId"
        case medicationID = "medicationId"
        case nhsNumber, requestedAt, channel
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.id(.requestID)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        requestedAt = try container.timestamp(.requestedAt)
        channel = try container.enumeration(.channel)
    }
}
