import Foundation

/// A Swift value that can be bound as a parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The type OID sent with the bind; 0 lets the server infer the type from the statement.
    static var postgresType: UInt32 { get }
    /// The text PostgreSQL's input function for that type accepts; nil is NULL.
    var postgresText: String? { get }
}

/// Well-known type OIDs (`pg_type.oid`).
public enum PostgresType {
    public static let unspecified: UInt32 = 0
    public static let bool: UInt32 = 16
    public static let int8: UInt32 = 20
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let float8: UInt32 = 701
    public static let int8Array: UInt32 = 1016
    public static let textArray: UInt32 = 1009
    public static let timestamptz: UInt32 = 1184
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let xid8: UInt32 = 5069
}

extension String: PostgresEncodable {
    // Unspecified, so one string can feed text, uuid, timestamptz or jsonb parameters alike.
    public static var postgresType: UInt32 { PostgresType.unspecified }
    public var postgresText: String? { self }
}

extension Int64: PostgresEncodable {
    public static var postgresType: UInt32 { PostgresType.int8 }
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public static var postgresType: UInt32 { PostgresType.int8 }
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: UInt32 { PostgresType.int4 }
    public var postgresText: String? { String(self) }
}

extension UInt64: PostgresEncodable {
    // Transaction ids (`xid8`) are unsigned 64-bit.
    public static var postgresType: UInt32 { PostgresType.xid8 }
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public static var postgresType: UInt32 { PostgresType.bool }
    public var postgresText: String? { self ? "t" : "f" }
}

extension Double: PostgresEncodable {
    public static var postgresType: UInt32 { PostgresType.float8 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: UInt32 { Element.postgresArrayType }
    public var postgresText: String? { PostgresArray.literal(map(\.postgresText)) }
}

/// A value that can be an element of a bound one-dimensional array.
public protocol PostgresArrayElement: PostgresEncodable {
    /// The OID of the array type (`text[]`, `bigint[]`).
    static var postgresArrayType: UInt32 { get }
}

extension String: PostgresArrayElement {
    public static var postgresArrayType: UInt32 { PostgresType.textArray }
}

extension Int64: PostgresArrayElement {
    public static var postgresArrayType: UInt32 { PostgresType.int8Array }
}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: UInt32 { Wrapped.postgresArrayType }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: UInt32 { Wrapped.postgresType }
    public var postgresText: String? { self?.postgresText }
}

/// A JSON document bound as `jsonb`.
public struct PostgresJSON: PostgresEncodable, PostgresDecodable, Hashable {
    /// The document's text; must be valid JSON.
    public var text: String
    /// Wraps JSON text.
    public init(_ text: String) { self.text = text }
    public static var postgresType: UInt32 { PostgresType.jsonb }
    public var postgresText: String? { text }
    public init(postgresText: String) throws(PostgresError) { self.text = postgresText }
}

/// A timestamp bound as `timestamptz`, from its ISO 8601 text.
public struct PostgresTimestamp: PostgresEncodable, PostgresDecodable, Hashable {
    /// ISO 8601 text with an offset, or PostgreSQL's output form.
    public var text: String
    /// Wraps timestamp text.
    public init(_ text: String) { self.text = text }
    public static var postgresType: UInt32 { PostgresType.timestamptz }
    public var postgresText: String? { text }
    public init(postgresText: String) throws(PostgresError) { self.text = postgresText }
}

/// A UUID in its canonical text form, bound as `uuid`.
public struct PostgresUUID: PostgresEncodable, PostgresDecodable, Hashable {
    /// The canonical lowercase text.
    public var text: String
    /// Wraps UUID text.
    public init(_ text: String) { self.text = text }
    /// `uuid` in canonical (lowercase) text.
    public init(_ uuid: UUID) { self.text = uuid.uuidString.lowercased() }
    public static var postgresType: UInt32 { PostgresType.uuid }
    public var postgresText: String? { text }
    public init(postgresText: String) throws(PostgresError) { self.text = postgresText }
}

/// The text form of one-dimensional arrays, both ways.
public enum PostgresArray {
    /// `{"a","b",NULL}` with backslash escaping.
    ///
    /// Built on UTF-8 bytes: the batch writer sends every column of every batch through here.
    public static func literal(_ items: [String?]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(items.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let item else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            var text = item
            text.withUTF8 { utf8 in
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The elements of a one-dimensional array's output text; NULL elements are nil.
    public static func parse(_ text: String) throws(PostgresError) -> [String?] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "{", scalars.last == "}" else {
            throw PostgresError(kind: .client, message: "not a one-dimensional array literal")
        }
        var items: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index <= end {
            var item = String.UnicodeScalarView()
            var quoted = false
            if scalars[index] == "\"" {
                quoted = true
                index += 1
                while index < end, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    item.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, scalars[index] != "," {
                    item.append(scalars[index])
                    index += 1
                }
            }
            let value = String(item)
            items.append(!quoted && value == "NULL" ? nil : value)
            index += 1  // the comma, or the closing brace
        }
        return items
    }
}
