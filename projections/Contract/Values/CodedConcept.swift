/// A laboratory test as orders and results name it (`test`).
public typealias LabTest = CodedConcept

/// A coded clinical concept with its name in English and Welsh: a laboratory test (`test`), a medicine
/// (`medication`, a dm+d or SNOMED CT code), an allergy's substance (`substance`).
public struct CodedConcept: Hashable, Sendable {
    /// The concept's code in `system`.
    public var code: String
    /// The code system (a URI or name, e.g. SNOMED CT, dm+d or a local catalogue).
    public var system: String
    /// The concept's name in English and Welsh.
    public var name: BilingualText

    /// Creates a concept.
    public init(code: String, system: String, name: BilingualText) {
        self.code = code
        self.system = system
        self.name = name
    }
}

extension CodedConcept: Decodable {
    private enum CodingKeys: String, CodingKey {
        case code
        case system
        case name
    }

    /// Decodes `{code, system, name: {en, cy?}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            code: try container.text(.code),
            system: try container.text(.system),
            name: try container.decode(BilingualText.self, forKey: .name)
        )
    }
}
