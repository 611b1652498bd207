/// `PrescriptionDispensed`: a pharmacy hands the medicine over.
public struct PrescriptionDispensed: EventPayload {
    /// `PrescriptionDispensed`.
    public static let eventType = "PrescriptionDispensed"

    /// The prescription.
    public var prescriptionID: String
    /// Its medication.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When it was dispensed.
    public var dispensedAt: Timestamp
    /// The pharmacy that dispensed it.
    public var dispenser: Organisation

    private enum CodingKeys: String, CodingKey {
        case prescriptionID = "prescriptionId"
        case medicationID = "medicationId"
        case nhsNumber, dispensedAt, dispenser
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prescriptionID = try container.id(.prescriptionID)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        dispensedAt = try container.timestamp(.dispensedAt)
        dispenser = try container.decode(Organisation.self, forKey: .dispenser)
    }
}
