/// Field readers that apply the rules of the event contract and report violations at the field's path.
extension KeyedDecodingContainer {
    /// A required string that is not empty or blank and can be stored.
    func text(_ key: Key) throws -> String {
        let value = try decode(String.self, forKey: key)
        guard !value.isBlank else { throw ContractViolation("must not be empty", at: codingPath, key) }
        try value.checkStorable(at: codingPath, key)
        return value
    }

    /// An optional string that can be stored; null, empty and blank all read as absent.
    func textIfPresent(_ key: Key) throws -> String? {
        guard let value = try decodeIfPresent(String.self, forKey: key), !value.isBlank else { return nil }
        try value.checkStorable(at: codingPath, key)
        return value
    }

    /// A required id (`appointmentId`, `resultId` …): a non-empty string.
    func id(_ key: Key) throws -> String {
        try text(key)
    }

    /// An optional id: null reads as absent, but an id that is sent must not be empty.
    func idIfPresent(_ key: Key) throws -> String? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try id(key)
    }

    /// A required NHS number: 10 digits with a valid Modulus 11 check digit.
    func nhsNumber(_ key: Key) throws -> NHSNumber {
        try validated(key) { (text: String) throws(ContractViolation) in try NHSNumber(validating: text) }
    }

    /// A required ISO 8601 timestamp with an offset.
    func timestamp(_ key: Key) throws -> Timestamp {
        try validated(key) { (text: String) throws(ContractViolation) in try Timestamp(validating: text) }
    }

    /// An optional ISO 8601 timestamp with an offset; null reads as absent.
    func timestampIfPresent(_ key: Key) throws -> Timestamp? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try timestamp(key)
    }

    /// A required `YYYY-MM-DD` date.
    func date(_ key: Key) throws -> CalendarDate {
        try validated(key) { (text: String) throws(ContractViolation) in try CalendarDate(validating: text) }
    }

    /// A required absolute URI (`scheme:rest`, no whitespace).
    func uri(_ key: Key) throws -> String {
        try validated(key) { (text: String) throws(ContractViolation) in
            guard text.isAbsoluteURI else { throw ContractViolation("must be an absolute URI") }
            return text
        }
    }

    /// A required value of a closed vocabulary of the event contract.
    func enumeration<Value: ContractEnumeration>(_ key: Key, as _: Value.Type = Value.self) throws -> Value {
        try validated(key) { (text: String) throws(ContractViolation) in try Value(validating: text) }
    }

    /// An optional value of a closed vocabulary; null reads as absent.
    func enumerationIfPresent<Value: ContractEnumeration>(
        _ key: Key,
        as _: Value.Type = Value.self
    ) throws -> Value? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try enumeration(key, as: Value.self)
    }

    /// A required `true` or `false`.
    func bool(_ key: Key) throws -> Bool {
        try decode(Bool.self, forKey: key)
    }

    /// An optional whole number; a number with a fraction breaks the rule.
    func integerIfPresent(_ key: Key) throws -> Int? {
        guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard number.rounded() == number, abs(number) < 1e15 else {
            throw ContractViolation("must be a whole number", at: codingPath, key)
        }
        return Int(number)
    }

    /// A required string checked by `parse`, whose violations are placed at `key`.
    private func validated<Value>(
        _ key: Key,
        _ parse: (String) throws(ContractViolation) -> Value
    ) throws -> Value {
        let raw = try decode(String.self, forKey: key)
        do throws(ContractViolation) {
            return try parse(raw)
        } catch {
            throw error.placed(at: codingPath, key)
        }
    }
}

extension StringProtocol {
    /// Whether the string is empty or holds only whitespace.
    var isBlank: Bool {
        // Decides on the first byte for nearly every string; `Character.isWhitespace` is a table lookup
        // per character and showed up in profiles of the decode path.
        for byte in utf8 {
            switch byte {
            case 0x20, 0x09...0x0D: continue
            case 0x80...: return allSatisfy(\.isWhitespace)
            default: return false
            }
        }
        return true
    }

    /// Throws unless PostgreSQL can store the string in a `text` column, which cannot hold U+0000.
    ///
    /// JSON may carry `\u0000`; let through, it would fail the whole batch's write instead of one event.
    func checkStorable(at codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) throws(ContractViolation) {
        if utf8.contains(0) {
            throw ContractViolation("must not contain the NUL character", at: codingPath, key)
        }
    }

    /// Whether the string looks like an absolute URI: a scheme (a letter, then letters, digits, `+`, `-`
    /// or `.`), a colon, then at least one character and no whitespace or control characters.
    var isAbsoluteURI: Bool {
        var sawScheme = false
        var afterColon = 0
        var inScheme = true
        for byte in utf8 {
            if byte <= 0x20 || byte == 0x7F { return false }
            if inScheme {
                switch byte {
                case UInt8(ascii: ":"):
                    guard sawScheme else { return false }
                    inScheme = false
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    sawScheme = true
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                    guard sawScheme else { return false }
                default:
                    return false
                }
            } else {
                afterColon += 1
            }
        }
        return !inScheme && afterColon > 0
    }
}
