/// `PatientDetailsUpdated`: some of a patient's details change; fields not sent stay as they were.
public struct PatientDetailsUpdated: EventPayload {
    /// `PatientDetailsUpdated`.
    public static let eventType = "PatientDetailsUpdated"

    /// The patient.
    public var nhsNumber: NHSNumber
    /// The new name, when it changed.
    public var name: PersonName?
    /// The new preferred language, when it changed.
    public var preferredLanguage: Language?
    /// The new GP practice, when it changed.
    public var gpPractice: Organisation?

    private enum CodingKeys: String, CodingKey {
        case nhsNumber, name, preferredLanguage, gpPractice
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        name = try container.decodeIfPresent(PersonName.self, forKey: .name)
        preferredLanguage = try container.enumerationIfPresent(.preferredLanguage)
        gpPractice = try container.decodeIfPresent(Organisation.self, forKey: .gpPractice)
    }
}
