import ProjectionCore

/// Reads an event's `metadata` without `JSONDecoder`, for the documents every event carries: one flat
/// object of plain strings, whole numbers and nulls, as PostgreSQL's jsonb prints it.
///
/// Decoding this small object through `JSONDecoder` cost a third of all JSON decoding in a rebuild of
/// the timeline (8 % of every CPU sample): its cost is per call, not per byte. The scanner answers only
/// when it is sure to agree with `MetadataFields(from:)`; anything else (an escape, a nested value, a
/// fraction, a repeated field, a value that breaks a rule) returns nil, and the caller decodes the
/// document with `JSONDecoder`, which gives the same answer or the precise failure.
struct MetadataScanner {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The fields of `metadata`, or nil when `JSONDecoder` must read it.
    static func fields(of metadata: [UInt8]) -> MetadataFields? {
        var scanner = MetadataScanner(metadata)
        return scanner.object()
    }

    fileprivate enum Value {
        case string(ArraySlice<UInt8>)
        case integer(Int)
        case null
    }

    private mutating func object() -> MetadataFields? {
        var fields = MetadataFields()
        var seen = MetadataFields.Seen()
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let value = value(), fields.set(key, value, seen: &seen) else { return nil }
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        skipWhitespace()
        return index == bytes.count ? fields : nil
    }

    private mutating func value() -> Value? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.integer)
        default: return nil
        }
    }

    /// A string without escapes or control characters, in valid UTF-8: its bytes between the quotes.
    private mutating func string() -> ArraySlice<UInt8>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                let text = bytes[start..<(index - 1)]
                // JSONDecoder refuses the whole document for one bad byte, even in a field nobody reads.
                guard ascii || String(validating: text, as: UTF8.self) != nil else { return nil }
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            ascii = ascii && byte < 0x80
            index += 1
        }
        return nil
    }

    /// Digits with no sign, fraction, exponent or leading zero, up to 15 of them (the contract's limit).
    ///
    /// The digits are counted before any is added up: a producer's number of any length (one above
    /// `Int.max` came in an unknown field) is left to `JSONDecoder`, never multiplied into an overflow.
    private mutating func integer() -> Int? {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        let digits = bytes[start..<index]
        guard digits.count <= 15, digits.count == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            return nil
        }
        // At most 15 digits: below 10^15, far inside `Int`.
        return digits.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
        if matches { index += count }
        return matches
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        {
            index += 1
        }
    }
}

extension MetadataFields {
    /// No fields.
    fileprivate init() {}

    /// The fields named so far, one bit each: `JSONDecoder` takes the first of a repeated field, which
    /// the scanner leaves to it; a repeated unknown field is ignored by both.
    fileprivate struct Seen: OptionSet {
        let rawValue: UInt8
        static let schemaVersion = Seen(rawValue: 1)
        static let occurredAt = Seen(rawValue: 2)
        static let sourceSystem = Seen(rawValue: 4)
        static let correlationID = Seen(rawValue: 8)
        static let causationID = Seen(rawValue: 16)
    }

    /// Records `value` for the field named `key`, as `init(from:)` would; false when only `JSONDecoder`
    /// can say what it makes of it. Other fields are ignored, as `init(from:)` ignores them.
    fileprivate mutating func set(_ key: ArraySlice<UInt8>, _ value: MetadataScanner.Value, seen: inout Seen) -> Bool {
        let field: Seen
        switch String(decoding: key, as: UTF8.self) {
        case "schemaVersion": field = .schemaVersion
        case "occurredAt": field = .occurredAt
        case "sourceSystem": field = .sourceSystem
        case "correlationId": field = .correlationID
        case "causationId": field = .causationID
        default: return true
        }
        guard seen.insert(field).inserted else { return false }
        switch field {
        case .schemaVersion:
            switch value {
            case .integer(let number): schemaVersion = number
            case .null: schemaVersion = nil
            case .string: return false
            }
        case .occurredAt:
            switch value {
            case .string(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self),
                    let timestamp = try? Timestamp(validating: text)
                else { return false }
                occurredAt = timestamp
            case .null: occurredAt = nil
            case .integer: return false
            }
        case .sourceSystem: return MetadataFields.text(value, into: &sourceSystem)
        case .correlationID: return MetadataFields.text(value, into: &correlationID)
        case .causationID: return MetadataFields.text(value, into: &causationID)
        default: return true
        }
        return true
    }

    /// `textIfPresent`: null and blank read as absent. (A NUL, which it refuses, never gets here: the
    /// scanner leaves escapes and control characters to `JSONDecoder`.)
    private static func text(_ value: MetadataScanner.Value, into field: inout String?) -> Bool {
        switch value {
        case .string(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { return false }
            field = text.isBlank ? nil : text
            return true
        case .null:
            field = nil
            return true
        case .integer:
            return false
        }
    }
}

/// Both ways of reading metadata, for the test that holds them to the same answers.
package enum MetadataDecoding {
    /// What the scanner makes of `metadata`, or nil where it leaves it to `JSONDecoder`.
    package static func scanned(_ metadata: [UInt8], defaultSchemaVersion: Int) -> EventMetadata? {
        MetadataScanner.fields(of: metadata)?.resolved(defaultSchemaVersion: defaultSchemaVersion)
    }

    /// What `JSONDecoder` makes of `metadata`.
    package static func decoded(
        _ metadata: [UInt8],
        defaultSchemaVersion: Int
    ) throws(ProjectionFailure) -> EventMetadata {
        try ContractJSON.decodeWithFoundation(MetadataFields.self, from: metadata, root: "metadata")
            .resolved(defaultSchemaVersion: defaultSchemaVersion)
    }
}
