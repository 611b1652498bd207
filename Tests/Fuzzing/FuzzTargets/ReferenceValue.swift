/// Any JSON value as `JSONDecoder` reads it: its string, or whether it is an object, when it is one.
///
/// The oracles' reference. (`JSONSerialization` is none: it drops a U+FEFF that starts a string.)
struct ReferenceValue: Decodable {
    var string: String?
    var isObject = false

    init(from decoder: any Decoder) throws {
        string = try? decoder.singleValueContainer().decode(String.self)
        isObject = (try? decoder.container(keyedBy: AnyKey.self)) != nil
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue _: Int) { nil }
    }
}
