/// A validated calendar date in the form `YYYY-MM-DD` (a date of birth, for instance).
public struct CalendarDate: Hashable, Sendable, CustomStringConvertible {
    /// The date as written: `YYYY-MM-DD`.
    public let text: String

    /// Validates `text`, or returns nil when it is not a real date in the form `YYYY-MM-DD`.
    public init?(_ text: String) {
        guard let date = try? CalendarDate(validating: text) else { return nil }
        self = date
    }

    /// Validates `text`; the violation names the rule it broke.
    init(validating text: String) throws(ContractViolation) {
        var scanner = DigitScanner(text)
        guard CalendarDate.scanDate(&scanner), scanner.isAtEnd else {
            throw ContractViolation("date must be a real date in the form YYYY-MM-DD")
        }
        self.text = text
    }

    /// `YYYY-MM-DD` with a month of 1 to 12 and a day that exists in that month (Gregorian leap years).
    static func scanDate(_ scanner: inout DigitScanner) -> Bool {
        guard let year = scanner.number(digits: 4), year >= 1, scanner.take("-"),
            let month = scanner.number(digits: 2), (1...12).contains(month), scanner.take("-"),
            let day = scanner.number(digits: 2), day >= 1
        else { return false }
        return day <= daysIn(month: month, year: year)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The date as written.
    public var description: String { text }
}
