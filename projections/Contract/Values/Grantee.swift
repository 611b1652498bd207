/// Whom a consent is granted to (`grantee`).
public struct Grantee: Hashable, Sendable {
    /// An organisation, a role or a person.
    public var type: GranteeType
    /// The grantee's identifier within its type (an ODS code, a role code, a professional's id).
    public var id: String

    /// Creates a grantee.
    public init(type: GranteeType, id: String) {
        self.type = type
        self.id = id
    }
}

extension Grantee: Decodable {
    private enum CodingKeys: String, CodingKey {
        case type
        case id
    }

    /// Decodes `{type, id}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(type: try container.enumeration(.type), id: try container.id(.id))
    }
}
