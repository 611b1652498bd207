/// `JournalEntryAdded`: the patient writes in their journal (stream `journal-<nhsNumber>`).
public struct JournalEntryAdded: EventPayload {
    /// `JournalEntryAdded`.
    public static let eventType = "JournalEntryAdded"

    /// The entry.
    public var entryID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When the patient wrote it.
    public var writtenAt: Timestamp
    /// What the patient wrote; not empty.
    public var text: String
    /// The language the patient wrote in.
    public var language: Language
    /// The patient's mood, 1 to 5, when given.
    public var mood: Mood?
    /// Whether the patient shares the entry with their care team.
    public var sharedWithCareTeam: Bool

    private enum CodingKeys: String, CodingKey {
        case entryID = "entryId"
        case nhsNumber, writtenAt, text, language, mood, sharedWithCareTeam
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entryID = try container.id(.entryID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        writtenAt = try container.timestamp(.writtenAt)
        text = try container.text(.text)
        language = try container.enumeration(.language)
        mood = try container.decodeIfPresent(Mood.self, forKey: .mood)
        sharedWithCareTeam = try container.bool(.sharedWithCareTeam)
    }
}
