import ProjectionContract

/// The value validators never trap, and an accepted NHS number passes a plain re-computation of its check.
enum ValuesOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { return [] }
        _ = Timestamp(text)
        _ = CalendarDate(text)
        _ = ResultValue(text: text)
        _ = ResultValue.upcastingVersion1(text)
        guard NHSNumber(text) != nil else { return [] }
        let digits = text.utf8.map { Int($0) - Int(UInt8(ascii: "0")) }
        guard digits.count == 10, digits.allSatisfy((0...9).contains) else {
            return ["an NHS number that is not 10 ASCII digits"]
        }
        let sum = zip(digits.prefix(9), stride(from: 10, through: 2, by: -1)).map(*).reduce(0, +)
        let check = (11 - sum % 11) % 11
        return check == digits[9] ? [] : ["an NHS number whose check digit is wrong"]
    }
}
