/// A patient's mood on a journal entry: a whole number from 1 to 5.
public struct Mood: Hashable, Sendable {
    /// 1 to 5.
    public let value: Int

    /// The mood `value`, or nil when it is not from 1 to 5.
    public init?(_ value: Int) {
        guard (1...5).contains(value) else { return nil }
        self.value = value
    }
}

extension Mood: Decodable {
    /// Decodes a JSON number that must be a whole number from 1 to 5.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let number = try container.decode(Double.self)
        guard number.rounded() == number, let mood = Mood(Int(exactly: number) ?? 0) else {
            throw ContractViolation("must be a whole number from 1 to 5", at: decoder.codingPath)
        }
        self = mood
    }
}
