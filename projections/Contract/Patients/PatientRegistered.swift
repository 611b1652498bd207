/// `PatientRegistered`: a patient joins the app, with their GP practice and preferred language.
public struct PatientRegistered: EventPayload {
    /// `PatientRegistered`.
    public static let eventType = "PatientRegistered"

    /// The patient.
    public var nhsNumber: NHSNumber
    /// The patient's name.
    public var name: PersonName
    /// The date of birth, `YYYY-MM-DD`.
    public var dateOfBirth: CalendarDate
    /// The language the patient reads the app in.
    public var preferredLanguage: Language
    /// The GP practice the patient is registered with.
    public var gpPractice: Organisation

    private enum CodingKeys: String, CodingKey {
        case nhsNumber, name, dateOfBirth, preferredLanguage, gpPractice
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        name = try container.decode(PersonName.self, forKey: .name)
        dateOfBirth = try container.date(.dateOfBirth)
        preferredLanguage = try container.enumeration(.preferredLanguage)
        gpPractice = try container.decode(Organisation.self, forKey: .gpPractice)
    }
}
