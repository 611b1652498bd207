/// An amount of a medicine supplied (`quantity`): a positive number and its unit (`28 tablet`).
public struct Quantity: Hashable, Sendable {
    /// The amount; positive and finite.
    public var value: Double
    /// The unit, as the prescriber's system names it (`tablet`, `ml`).
    public var unit: String

    /// Creates a quantity.
    public init(value: Double, unit: String) {
        self.value = value
        self.unit = unit
    }
}

extension Quantity: Decodable {
    private enum CodingKeys: String, CodingKey {
        case value
        case unit
    }

    /// Decodes `{value, unit}`: a positive number and a non-empty unit.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let value = try container.decode(Double.self, forKey: .value)
        guard value > 0, value.isFinite else {
            throw ContractViolation("must be a positive number", at: container.codingPath, CodingKeys.value)
        }
        self.init(value: value, unit: try container.text(.unit))
    }
}
