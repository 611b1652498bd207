/// A validated ISO 8601 timestamp with an explicit offset: `2026-03-01T09:30:00Z`, `…T10:30:00.250+01:00`.
///
/// The text is kept as the producer wrote it; the engine hands it to a `timestamptz` column, which
/// keeps the instant. Accepted: `YYYY-MM-DDThh:mm`, optional `:ss` and `.fraction` (1 to 100 digits; a
/// leap second `:60` only with a fraction of zeros), then `Z`, `±hh:mm`,
/// `±hhmm` or `±hh`: a subset of ISO 8601 that PostgreSQL parses, so a valid event never fails the
/// write. A timestamp without an offset is ambiguous, so it breaks the contract.
public struct Timestamp: Hashable, Sendable, CustomStringConvertible {
    /// The timestamp as written by the producer.
    public let text: String

    /// Validates `text`, or returns nil when it is not an ISO 8601 timestamp with an offset.
    public init?(_ text: String) {
        guard let timestamp = try? Timestamp(validating: text) else { return nil }
        self = timestamp
    }

    /// Validates `text`; the violation names the rule it broke.
    init(validating text: String) throws(ContractViolation) {
        var scanner = DigitScanner(text)
        guard CalendarDate.scanDate(&scanner) else {
            throw ContractViolation("timestamp must be ISO 8601 (YYYY-MM-DDThh:mm:ss with an offset)")
        }
        guard scanner.take("T") || scanner.take("t"), Timestamp.scanTime(&scanner) else {
            throw ContractViolation("timestamp must be ISO 8601 (YYYY-MM-DDThh:mm:ss with an offset)")
        }
        guard !scanner.isAtEnd else {
            throw ContractViolation("timestamp must carry an offset (Z or ±hh:mm)")
        }
        guard Timestamp.scanOffset(&scanner), scanner.isAtEnd else {
            throw ContractViolation("timestamp offset must be Z or ±hh:mm")
        }
        self.text = text
    }

    /// `hh:mm`, optionally `:ss` and a fraction of one or more digits.
    private static func scanTime(_ scanner: inout DigitScanner) -> Bool {
        guard let hour = scanner.number(digits: 2), hour <= 23, scanner.take(":"),
            let minute = scanner.number(digits: 2), minute <= 59
        else { return false }
        guard scanner.take(":") else { return true }
        // 60 admits a leap second, as ISO 8601 and PostgreSQL do.
        guard let second = scanner.number(digits: 2), second <= 60 else { return false }
        // ISO 8601 also allows a comma before the fraction, but PostgreSQL rejects it.
        if scanner.take(".") {
            let fraction = scanner.skipDigits()
            // PostgreSQL refuses a time field of more than about 130 characters, and a leap second
            // past 60.000000 (it rounds to microseconds): both would fail the write, not the event.
            guard (1...maximumFractionDigits).contains(fraction.count), second < 60 || fraction.allZero else {
                return false
            }
        }
        return true
    }

    /// The most digits a fraction of a second may have: far more than any clock gives (9 for
    /// nanoseconds), and safely under what PostgreSQL's `timestamptz` parses.
    static let maximumFractionDigits = 100

    /// `Z`, or a sign and `hh:mm`, `hhmm` or `hh`, with hours up to 15, the most `timestamptz` accepts.
    private static func scanOffset(_ scanner: inout DigitScanner) -> Bool {
        if scanner.take("Z") || scanner.take("z") { return true }
        guard scanner.take("+") || scanner.take("-") else { return false }
        guard let hours = scanner.number(digits: 2), hours <= 15 else { return false }
        if scanner.isAtEnd { return true }
        _ = scanner.take(":")
        guard let minutes = scanner.number(digits: 2), minutes <= 59 else { return false }
        return true
    }

    /// The timestamp as written.
    public var description: String { text }
}
