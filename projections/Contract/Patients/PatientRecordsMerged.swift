/// `PatientRecordsMerged`: the demographics service found two records of one person and kept one number.
///
/// Stream `patient-<retainedNhsNumber>`. From this event on, everything recorded under the superseded number
/// is the retained patient's, in every read model (`PatientMerges`).
public struct PatientRecordsMerged: EventPayload {
    /// `PatientRecordsMerged`.
    public static let eventType = "PatientRecordsMerged"

    /// The number kept: the patient the stream is named after.
    public var retainedNhsNumber: NHSNumber
    /// The number that stops being used: its records become the retained patient's.
    public var supersededNhsNumber: NHSNumber
    /// When the records were merged.
    public var mergedAt: Timestamp

    /// The retained number: the stream's patient.
    public var nhsNumber: NHSNumber { retainedNhsNumber }

    private enum CodingKeys: String, CodingKey {
        case retainedNhsNumber, supersededNhsNumber, mergedAt
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        retainedNhsNumber = try container.nhsNumber(.retainedNhsNumber)
        supersededNhsNumber = try container.nhsNumber(.supersededNhsNumber)
        mergedAt = try container.timestamp(.mergedAt)
        guard supersededNhsNumber != retainedNhsNumber else {
            throw ContractViolation(
                "must differ from retainedNhsNumber (a record cannot be merged into itself)",
                at: container.codingPath,
                CodingKeys.supersededNhsNumber
            )
        }
    }
}
