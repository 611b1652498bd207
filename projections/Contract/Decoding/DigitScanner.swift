/// A cursor over the UTF-8 bytes of a string for the hand-written date and time validators.
struct DigitScanner {
    private let bytes: String.UTF8View
    private var index: String.UTF8View.Index

    /// A scanner at the start of `text`.
    init(_ text: String) {
        bytes = text.utf8
        index = bytes.startIndex
    }

    /// Whether every byte has been consumed.
    var isAtEnd: Bool { index == bytes.endIndex }

    /// Consumes `ascii` when it is next.
    mutating func take(_ ascii: Unicode.Scalar) -> Bool {
        guard index != bytes.endIndex, bytes[index] == UInt8(ascii: ascii) else { return false }
        bytes.formIndex(after: &index)
        return true
    }

    /// Consumes exactly `digits` ASCII digits and returns their value, or nil (consuming nothing) when absent.
    mutating func number(digits: Int) -> Int? {
        var value = 0
        var cursor = index
        for _ in 0..<digits {
            guard cursor != bytes.endIndex else { return nil }
            let byte = bytes[cursor]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            bytes.formIndex(after: &cursor)
        }
        index = cursor
        return value
    }

    /// Consumes a run of ASCII digits and returns its length, and whether every digit is a zero.
    mutating func skipDigits() -> (count: Int, allZero: Bool) {
        var count = 0
        var allZero = true
        while index != bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            allZero = allZero && bytes[index] == UInt8(ascii: "0")
            bytes.formIndex(after: &index)
            count += 1
        }
        return (count, allZero)
    }
}
