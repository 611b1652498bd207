/// `AllergyRecorded`: a clinician records an allergy (stream `allergy-<allergyId>`).
public struct AllergyRecorded: EventPayload {
    /// `AllergyRecorded`.
    public static let eventType = "AllergyRecorded"

    /// The allergy.
    public var allergyID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// What the patient is allergic to: a SNOMED CT or dm+d code, with its name in English and Welsh.
    public var substance: CodedConcept
    /// The reaction, in English and Welsh, when known.
    public var reaction: BilingualText?
    /// How severe it is.
    public var severity: AllergySeverity
    /// When it was recorded.
    public var recordedAt: Timestamp
    /// Who recorded it.
    public var recordedBy: Organisation

    private enum CodingKeys: String, CodingKey {
        case allergyID = "allergyId"
        case nhsNumber, substance, reaction, severity, recordedAt, recordedBy
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allergyID = try container.id(.allergyID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        substance = try container.decode(CodedConcept.self, forKey: .substance)
        reaction = try container.decodeIfPresent(BilingualText.self, forKey: .reaction)
        severity = try container.enumeration(.severity)
        recordedAt = try container.timestamp(.recordedAt)
        recordedBy = try container.decode(Organisation.self, forKey: .recordedBy)
    }
}
