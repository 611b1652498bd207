/// The range a result is read against (`referenceRange`): numeric bounds, a text form, or both.
public struct ReferenceRange: Hashable, Sendable {
    /// The lower bound, in the result's unit.
    public var low: Double?
    /// The upper bound, in the result's unit.
    public var high: Double?
    /// The range as the laboratory words it (`"<5.0"`, `"negative"`).
    public var text: String?

    /// Creates a range.
    public init(low: Double? = nil, high: Double? = nil, text: String? = nil) {
        self.low = low
        self.high = high
        self.text = text
    }

    /// Whether no bound and no text is given.
    public var isEmpty: Bool { low == nil && high == nil && text == nil }
}

extension ReferenceRange: Decodable {
    private enum CodingKeys: String, CodingKey {
        case low
        case high
        case text
    }

    /// Decodes `{low?, high?, text?}`; the bounds are JSON numbers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            low: try container.decodeIfPresent(Double.self, forKey: .low),
            high: try container.decodeIfPresent(Double.self, forKey: .high),
            text: try container.textIfPresent(.text)
        )
    }
}
