/// `MedicationPrescribed`: a prescriber starts a course of a medicine (stream `medication-<medicationId>`).
public struct MedicationPrescribed: EventPayload {
    /// `MedicationPrescribed`.
    public static let eventType = "MedicationPrescribed"

    /// The course.
    public var medicationID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The medicine: a dm+d or SNOMED CT code, with its name in English and Welsh.
    public var medication: CodedConcept
    /// How to take it, in English and Welsh.
    public var dosage: BilingualText
    /// How much is supplied each time it is issued.
    public var quantity: Quantity
    /// A one-off course or a repeat.
    public var kind: MedicationKind
    /// How many issues a repeat allows; only for a repeat, and at least 1.
    public var repeatsAuthorised: Int?
    /// When the course is to be reviewed.
    public var reviewDate: CalendarDate?
    /// When it was prescribed.
    public var prescribedAt: Timestamp
    /// Who prescribed it.
    public var prescriber: Organisation

    private enum CodingKeys: String, CodingKey {
        case medicationID = "medicationId"
        case nhsNumber, medication, dosage, quantity, kind, repeatsAuthorised, reviewDate, prescribedAt, prescriber
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        medicationID = try container.id(.medicationID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        medication = try container.decode(CodedConcept.self, forKey: .medication)
        dosage = try container.decode(BilingualText.self, forKey: .dosage)
        quantity = try container.decode(Quantity.self, forKey: .quantity)
        kind = try container.enumeration(.kind)
        repeatsAuthorised = try container.integerIfPresent(.repeatsAuthorised)
        reviewDate =
            try container.contains(.reviewDate) && !container.decodeNil(forKey: .reviewDate)
            ? container.date(.reviewDate) : nil
        prescribedAt = try container.timestamp(.prescribedAt)
        prescriber = try container.decode(Organisation.self, forKey: .prescriber)
        if let repeatsAuthorised {
            guard kind == .repeat else {
                throw ContractViolation(
                    "must be absent for an acute medication",
                    at: container.codingPath,
                    CodingKeys.repeatsAuthorised
                )
            }
            guard repeatsAuthorised >= 1 else {
                throw ContractViolation("must be at least 1", at: container.codingPath, CodingKeys.repeatsAuthorised)
            }
        }
    }
}
