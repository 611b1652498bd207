/// A laboratory test as orders and results name it (`test`).
public struct LabTest: Hashable, Sendable {
    /// The test's code in `system`.
    public var code: String
    /// The code system (a URI or name, e.g. SNOMED CT or a local catalogue).
    public var system: String
    /// The test's name in English and Welsh.
    public var name: BilingualText

    /// Creates a test.
    public init(code: String, system: String, name: BilingualText) {
        self.code = code
        self.system = system
        self.name = name
    }
}

extension LabTest: Decodable {
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
