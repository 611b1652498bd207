/// A validated NHS number: 10 ASCII digits whose last is the Modulus 11 check digit of the first nine.
///
/// - Important: an NHS number identifies a patient. `description` is redacted so that interpolating
///   one into a log line or an error leaks nothing; read `digits` only to store it.
public struct NHSNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 10 digits, without spaces: the stored form.
    public let digits: String

    /// Validates `text`, or returns nil when it is not a valid NHS number.
    public init?(_ text: String) {
        guard let number = try? NHSNumber(validating: text) else { return nil }
        self = number
    }

    /// Validates `text`; the violation names the rule it broke.
    init(validating text: String) throws(ContractViolation) {
        var sum = 0
        var count = 0
        var checkDigit = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < 10 else {
                throw ContractViolation("must be exactly 10 digits with no spaces")
            }
            let digit = Int(byte - UInt8(ascii: "0"))
            if count < 9 {
                // Weights 10 down to 2 for the first nine digits.
                sum += digit * (10 - count)
            } else {
                checkDigit = digit
            }
            count += 1
        }
        guard count == 10 else { throw ContractViolation("must be exactly 10 digits with no spaces") }
        guard let expected = NHSNumber.checkDigit(forWeightedSum: sum), expected == checkDigit else {
            throw ContractViolation("fails the Modulus 11 check")
        }
        digits = text
    }

    /// The check digit for a weighted sum: 11 - (sum mod 11), where 11 becomes 0 and 10 is invalid (nil).
    static func checkDigit(forWeightedSum sum: Int) -> Int? {
        switch 11 - sum % 11 {
        case 11: 0
        case 10: nil
        case let digit: digit
        }
    }

    /// Redacted: an NHS number never reaches logs through string interpolation.
    public var description: String { "NHSNumber(redacted)" }
}
