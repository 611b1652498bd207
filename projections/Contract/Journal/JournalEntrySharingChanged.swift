/// `JournalEntrySharingChanged`: the patient starts or stops sharing a journal entry with their care team.
public struct JournalEntrySharingChanged: EventPayload {
    /// `JournalEntrySharingChanged`.
    public static let eventType = "JournalEntrySharingChanged"

    /// The entry.
    public var entryID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// Whether the entry is now shared.
    public var sharedWithCareTeam: Bool

    private enum CodingKeys: String, CodingKey {
        case entryID = "entryId"
        case nhsNumber, sharedWithCareTeam
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entryID = try container.id(.entryID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        sharedWithCareTeam = try container.bool(.sharedWithCareTeam)
    }
}
