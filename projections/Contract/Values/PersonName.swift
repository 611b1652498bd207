/// A patient's name (`name`).
public struct PersonName: Hashable, Sendable {
    /// Given names.
    public var given: String
    /// Family name.
    public var family: String

    /// Creates a name.
    public init(given: String, family: String) {
        self.given = given
        self.family = family
    }
}

extension PersonName: Decodable {
    private enum CodingKeys: String, CodingKey {
        case given
        case family
    }

    /// Decodes `{given, family}`; both are required and not empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(given: try container.text(.given), family: try container.text(.family))
    }
}
