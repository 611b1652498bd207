/// A column value produced by a projection.
///
/// The engine sends every value as text and casts it to the column's declared type, so a
/// timestamp is `.text("2026-03-01T09:30:00Z")` and a `timestamptz` column parses it.
public enum SQLValue: Hashable, Sendable {
    case null
    case text(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// A JSON document, for `jsonb` columns; the string must be valid JSON.
    case json(String)
    /// A `text[]` value.
    case textArray([String])
    /// Not a value but an instruction: add this much to the column's integer value.
    ///
    /// In a partial update it adds to what the row holds; in a row written whole (an insert, or an
    /// upsert of an absent row) it counts from 0. NULL plus anything stays NULL, as in SQL.
    case increment(Int64)

    /// Whether this is an `increment`.
    public var isIncrement: Bool {
        if case .increment = self { true } else { false }
    }

    /// The text form PostgreSQL parses for the column's type; `nil` is SQL NULL.
    public var sqlText: String? {
        switch self {
        case .null: nil
        case .text(let s): s
        case .int(let i): String(i)
        case .double(let d): d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case .bool(let b): b ? "t" : "f"
        case .json(let s): s
        case .textArray(let items): SQLValue.arrayLiteral(items)
        case .increment(let delta): String(delta)
        }
    }

    /// `{"a","b"}` with backslash escaping, the array literal form `text[]` accepts.
    static func arrayLiteral(_ items: [String]) -> String {
        var out = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for ch in item.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
    /// `.text(value)`, or `.null` when `value` is nil.
    public static func text(_ value: String?) -> SQLValue {
        value.map { .text($0) } ?? .null
    }

    /// `.int(value)`, or `.null` when `value` is nil.
    public static func int(_ value: Int?) -> SQLValue {
        value.map { .int(Int64($0)) } ?? .null
    }

    /// `.double(value)`, or `.null` when `value` is nil.
    public static func double(_ value: Double?) -> SQLValue {
        value.map { .double($0) } ?? .null
    }

    /// `.bool(value)`, or `.null` when `value` is nil.
    public static func bool(_ value: Bool?) -> SQLValue {
        value.map { .bool($0) } ?? .null
    }
}

extension SQLValue {
    /// `self` followed by `next` in a whole row: an increment adds to an integer, counts from 0 when
    /// the column is absent, and leaves NULL as NULL.
    static func image(_ current: SQLValue?, then next: SQLValue) -> SQLValue {
        guard case .increment(let delta) = next else { return next }
        switch current {
        case .int(let value)?: return .int(value &+ delta)
        case .null?: return .null
        case .increment(let earlier)?: return .increment(earlier &+ delta)
        default: return .int(delta)
        }
    }

    /// `self` followed by `next` in a partial update, where an absent column means "as the row holds
    /// it": increments accumulate until a value is known.
    static func assignment(_ current: SQLValue?, then next: SQLValue) -> SQLValue {
        guard case .increment = next, current == nil else { return image(current, then: next) }
        return next
    }
}
