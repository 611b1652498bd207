/// An organisation or clinician named by its ODS code (`organisation`, `orderedBy`, `performer`, `gpPractice`).
public struct Organisation: Hashable, Sendable {
    /// The Organisation Data Service code.
    public var odsCode: String
    /// The display name, as the producer gives it (not translated).
    public var name: String

    /// Creates an organisation.
    public init(odsCode: String, name: String) {
        self.odsCode = odsCode
        self.name = name
    }
}

extension Organisation: Decodable {
    private enum CodingKeys: String, CodingKey {
        case odsCode
        case name
    }

    /// Decodes `{odsCode, name}`; both are required and not empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(odsCode: try container.text(.odsCode), name: try container.text(.name))
    }
}
