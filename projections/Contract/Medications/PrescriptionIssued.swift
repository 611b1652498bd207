/// `PrescriptionIssued`: a prescription for the medication is sent to be dispensed (the Electronic Prescription
/// Service), for an approved repeat request (`requestId`) or for an acute course.
public struct PrescriptionIssued: EventPayload {
    /// `PrescriptionIssued`.
    public static let eventType = "PrescriptionIssued"

    /// The prescription.
    public var prescriptionID: String
    /// Its medication.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The approved repeat request it fulfils; absent for an acute course.
    public var requestID: String?
    /// When it was issued.
    public var issuedAt: Timestamp
    /// The pharmacy the patient nominated, when there is one.
    public var nominatedPharmacy: Organisation?

    private enum CodingKeys: String, CodingKey {
        case prescriptionID = "prescriptionId"
        case medicationID = "medicationId"
        case requestID = "requestId"
        case nhsNumber, issuedAt, nominatedPharmacy
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prescriptionID = try container.id(.prescriptionID)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        requestID = try container.idIfPresent(.requestID)
        issuedAt = try container.timestamp(.issuedAt)
        nominatedPharmacy = try container.decodeIfPresent(Organisation.self, forKey: .nominatedPharmacy)
    }
}
