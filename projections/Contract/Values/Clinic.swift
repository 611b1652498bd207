/// The clinic an appointment is booked into.
public struct Clinic: Hashable, Sendable {
    /// The clinic's code at its organisation.
    public var code: String
    /// The clinic's name in English and Welsh.
    public var name: BilingualText

    /// Creates a clinic.
    public init(code: String, name: BilingualText) {
        self.code = code
        self.name = name
    }
}

extension Clinic: Decodable {
    private enum CodingKeys: String, CodingKey {
        case code
        case name
    }

    /// Decodes `{code, name: {en, cy?}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(code: try container.text(.code), name: try container.decode(BilingualText.self, forKey: .name))
    }
}
