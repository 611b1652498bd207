/// A result's value in both forms readers need: a number when there is one, and the text to show.
///
/// Schema version 2 sends a JSON number (`5.4`) or a string (`"Positive"`, `"<0.5"`); a string that
/// is a plain decimal number also gets its `numeric` form. Schema version 1 sent number and unit in one
/// string, which `upcastingVersion1(_:)` splits.
public struct ResultValue: Hashable, Sendable {
    /// The value as a number, or nil when it is not numeric (`"Positive"`, `"see report"`).
    public var numeric: Double?
    /// The value as text, without the unit: what the producer wrote, or the number's shortest form.
    public var text: String

    /// Creates a value from both forms.
    public init(numeric: Double?, text: String) {
        self.numeric = numeric
        self.text = text
    }

    /// A numeric value; its text is the shortest form (`5.4`, `12`).
    public init(_ number: Double) {
        self.init(numeric: number, text: ResultValue.format(number))
    }

    /// A text value, numeric too when `text` is a plain decimal number (`"5.4"`, `"-2"`).
    public init(text: String) {
        let numeric = ResultValue.leadingDecimal(in: Substring(text)).flatMap { $0.rest.isEmpty ? $0.number : nil }
        self.init(numeric: numeric, text: text)
    }

    /// Splits a schema version 1 value (`"5.4 mmol/L"`) into the value and its unit.
    ///
    /// The text must start with a decimal number, then optionally a unit that starts with a letter,
    /// `%` or `°`. Anything else (`"see report"`, `"<5"`, `"120/80 mmHg"`) stays text, with no number
    /// and no unit: an unparseable version 1 value is kept, not rejected.
    public static func upcastingVersion1(_ raw: String) -> (value: ResultValue, unit: String?) {
        let trimmed = raw.trimmingWhitespace()
        guard let (number, digits, rest) = leadingDecimal(in: trimmed) else {
            return (ResultValue(numeric: nil, text: String(trimmed)), nil)
        }
        let unit = rest.trimmingWhitespace()
        if unit.isEmpty {
            return (ResultValue(numeric: number, text: String(digits)), nil)
        }
        guard let first = unit.first, first.isLetter || first == "%" || first == "°" else {
            return (ResultValue(numeric: nil, text: String(trimmed)), nil)
        }
        return (ResultValue(numeric: number, text: String(digits)), String(unit))
    }

    /// A leading `[+-]digits[.digits]` (or `.digits`) of `text`: its value, its text and what follows.
    static func leadingDecimal(in text: Substring) -> (number: Double, digits: Substring, rest: Substring)? {
        let bytes = text.utf8
        var index = bytes.startIndex
        if index != bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            bytes.formIndex(after: &index)
        }
        var digitCount = 0
        var sawPoint = false
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes.formIndex(after: &index)
        }
        guard digitCount > 0 else { return nil }
        let digits = text[text.startIndex..<index]
        guard let number = Double(digits) else { return nil }
        return (number, digits, text[index...])
    }

    /// The shortest text of `number`: whole numbers without a fraction (`12`, not `12.0`).
    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 {
            return String(Int64(number))
        }
        return String(number)
    }
}

extension ResultValue: Decodable {
    /// Decodes a JSON number or a non-empty string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(number)
            return
        }
        guard let text = try? container.decode(String.self) else {
            throw ContractViolation("must be a number or a string", at: decoder.codingPath)
        }
        guard !text.isBlank else { throw ContractViolation("must not be empty", at: decoder.codingPath) }
        try text.checkStorable(at: decoder.codingPath)
        self.init(text: text)
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace.
    func trimmingWhitespace() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return self[endIndex...] }
        return self[first...last]
    }
}
