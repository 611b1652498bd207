/// A compact JSON writer into a reusable byte buffer: keys stay in call order and output is byte-stable.
///
/// Foundation's encoders are slower and do not promise key order, and the generator must write the same bytes for
/// the same seed on every run. The writer can also apply one deliberate ``Corruption`` to the top-level object.
struct JSONWriter {
    /// The UTF-8 bytes written since the last ``reset(corruption:)``.
    private(set) var bytes: [UInt8] = []
    /// For each open container, whether it already holds an element (so the next one needs a comma).
    private var hasElements: [Bool] = []
    /// Set between a key and its value, which takes no comma.
    private var afterKey = false
    /// The damage to apply to the top-level object being written.
    private var corruption = Corruption.none
    /// Where the top-level field being dropped began, while it is being written.
    private var omittedFieldStart: Int?
    /// Whether the top-level object held elements before the dropped field.
    private var hadElementsBeforeOmission = false

    /// Creates an empty writer; it allocates on first use and keeps its capacity across resets.
    init() {}

    /// Empties the buffer, keeping its capacity, and sets the corruption for the next top-level object.
    mutating func reset(corruption: Corruption = .none) {
        bytes.removeAll(keepingCapacity: true)
        hasElements.removeAll(keepingCapacity: true)
        afterKey = false
        omittedFieldStart = nil
        self.corruption = corruption
    }

    /// The buffer as a string.
    func makeString() -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Opens an object.
    mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        hasElements.append(false)
    }

    /// Closes the innermost object.
    mutating func endObject() {
        if hasElements.count == 1 { finishOmission() }
        hasElements.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array.
    mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        hasElements.append(false)
    }

    /// Closes the innermost array.
    mutating func endArray() {
        hasElements.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next write is its value.
    ///
    /// Keys are literals of the contract, so they are copied without escaping.
    mutating func key(_ name: StaticString) {
        if hasElements.count == 1 {
            finishOmission()
            if case .omitField(let omitted) = corruption, omitted == name.description {
                omittedFieldStart = bytes.count
                hadElementsBeforeOmission = hasElements[0]
            }
        }
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        appendLiteral(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a string value with JSON escaping.
    mutating func string(_ value: String) {
        beginValue()
        JSONWriter.appendQuoted(value, to: &bytes)
    }

    /// Writes an integer value.
    mutating func int(_ value: Int) {
        beginValue()
        appendInteger(Int64(value))
    }

    /// Writes `true` or `false`.
    mutating func bool(_ value: Bool) {
        beginValue()
        appendLiteral(value ? "true" : "false")
    }

    /// Writes a decimal number with its fixed number of decimals.
    mutating func decimal(_ value: ScaledDecimal) {
        beginValue()
        value.append(to: &bytes)
    }

    /// Writes `"key":"value"`.
    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    /// Writes `"key":value` for an integer.
    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        int(value)
    }

    /// Writes `"key":true|false`.
    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes `"key":value` for a decimal.
    mutating func field(_ name: StaticString, _ value: ScaledDecimal) {
        key(name)
        decimal(value)
    }

    /// Writes an ISO 8601 timestamp field; a ``Corruption/timestampWithoutOffset(_:)`` naming it drops the offset.
    mutating func timestampField(_ name: StaticString, _ instant: Int64, style: TimeStyle) {
        var style = style
        if hasElements.count == 1, case .timestampWithoutOffset(let damaged) = corruption, damaged == name.description {
            style = .withoutOffset
        }
        key(name)
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        appendTimestamp(instant, style: style)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a `YYYY-MM-DD` date field from a day count since 1970-01-01.
    mutating func dateField(_ name: StaticString, days: Int64) {
        key(name)
        beginValue()
        let date = StoryTime.civil(days: days)
        bytes.append(UInt8(ascii: "\""))
        appendDigits(date.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.day, width: 2)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `"nhsNumber":…`; a ``Corruption/wrongCheckDigit(shift:)`` replaces the check digit by a wrong one.
    mutating func nhsNumberField(_ nhsNumber: String) {
        key("nhsNumber")
        guard case .wrongCheckDigit(let shift) = corruption else {
            string(nhsNumber)
            return
        }
        var digits = Array(nhsNumber.utf8)
        let check = Int(digits[9] - UInt8(ascii: "0"))
        // The check digit is unique, so any other digit in the last place makes the number invalid.
        digits[9] = UInt8(ascii: "0") + UInt8((check + shift) % 10)
        string(String(decoding: digits, as: UTF8.self))
    }

    /// Appends `value` as a quoted JSON string: quotes, backslashes and control characters are escaped.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                appendEscape(for: byte, to: &bytes)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(for byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hexDigit(byte >> 4))
            bytes.append(hexDigit(byte & 0xF))
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard let innermost = hasElements.indices.last else { return }
        if hasElements[innermost] {
            bytes.append(UInt8(ascii: ","))
        } else {
            hasElements[innermost] = true
        }
    }

    /// Cuts the dropped top-level field out of the buffer once its value is complete.
    private mutating func finishOmission() {
        guard let start = omittedFieldStart else { return }
        bytes.removeSubrange(start...)
        hasElements[0] = hadElementsBeforeOmission
        omittedFieldStart = nil
    }

    private mutating func appendTimestamp(_ instant: Int64, style: TimeStyle) {
        let offset = style == .london ? StoryTime.londonOffset(at: instant) : 0
        let local = instant + offset
        let days = StoryTime.floorDivide(local, StoryTime.day)
        let secondOfDay = Int(local - days * StoryTime.day)
        let date = StoryTime.civil(days: days)
        appendDigits(date.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(date.day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3_600, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2)
        switch style {
        case .utc: bytes.append(UInt8(ascii: "Z"))
        case .london:
            appendLiteral(offset == 0 ? "+00:00" : "+01:00")
        case .withoutOffset: break
        }
    }

    /// Appends `value` zero-padded to `width` digits (2 or 4; wider values are not produced).
    private mutating func appendDigits(_ value: Int, width: Int) {
        if width == 4 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / 1_000 % 10))
            bytes.append(UInt8(ascii: "0") + UInt8(value / 100 % 10))
        }
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func appendInteger(_ value: Int64) {
        ScaledDecimal(scaled: Int(value), decimals: 0).append(to: &bytes)
    }
}
