/// `ConsentGranted`: a patient lets a grantee see parts of their record (stream `consent-<nhsNumber>`).
public struct ConsentGranted: EventPayload {
    /// `ConsentGranted`.
    public static let eventType = "ConsentGranted"

    /// The consent.
    public var consentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// Who may see.
    public var grantee: Grantee
    /// What they may see: at least one scope, each once, in the order sent.
    public var scopes: [ConsentScope]
    /// Direct care or research.
    public var purpose: ConsentPurpose
    /// When the consent starts.
    public var grantedAt: Timestamp
    /// When it lapses; nil when it runs until withdrawn.
    public var expiresAt: Timestamp?

    private enum CodingKeys: String, CodingKey {
        case consentID = "consentId"
        case nhsNumber, grantee, scopes, purpose, grantedAt, expiresAt
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        consentID = try container.id(.consentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        grantee = try container.decode(Grantee.self, forKey: .grantee)
        scopes = try ConsentGranted.decodeScopes(container)
        purpose = try container.enumeration(.purpose)
        grantedAt = try container.timestamp(.grantedAt)
        expiresAt = try container.timestampIfPresent(.expiresAt)
    }

    private static func decodeScopes(_ container: KeyedDecodingContainer<CodingKeys>) throws -> [ConsentScope] {
        var list = try container.nestedUnkeyedContainer(forKey: .scopes)
        var scopes: [ConsentScope] = []
        while !list.isAtEnd {
            let index = list.currentIndex
            let text = try list.decode(String.self)
            let scope: ConsentScope
            do throws(ContractViolation) {
                scope = try ConsentScope(validating: text)
            } catch {
                throw ContractViolation(error.rule, at: ContractViolation.path(list.codingPath) + "[\(index)]")
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        guard !scopes.isEmpty else {
            throw ContractViolation("must name at least one scope", at: container.codingPath, CodingKeys.scopes)
        }
        return scopes
    }
}
