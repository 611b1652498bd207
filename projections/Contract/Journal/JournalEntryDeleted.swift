/// `JournalEntryDeleted`: the patient deletes a journal entry.
public struct JournalEntryDeleted: EventPayload {
    /// `JournalEntryDeleted`.
    public static let eventType = "JournalEntryDeleted"

    /// The entry.
    public var entryID: String
    /// The patient.
    public var nhsNumber: NHSNumber

    private enum CodingKeys: String, CodingKey {
        case entryID = "entryId"
        case nhsNumber
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entryID = try container.id(.entryID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
    }
}
