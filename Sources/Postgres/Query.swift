/// A SQL statement with its bound values: `"SELECT … WHERE id = \(id)"` becomes `… WHERE id = $1` plus a bind.
///
/// Values only ever travel as bind parameters, never inside the SQL text. A runtime string becomes SQL
/// only through `Query(unsafeSQL:)`, or as a quoted identifier through `\(identifier:)`.
public struct Query: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$1 … $n` placeholders.
    public private(set) var sql: String
    /// The bound values, in placeholder order.
    public private(set) var binds: [PostgresBind]

    /// A query from a runtime string: the caller vouches that it holds no values.
    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The statement's first line, for errors and logs; never the values.
    public var description: String { PostgresError.summary(of: sql) }

    /// Builds the SQL and the binds of an interpolated literal.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds `value` as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(PostgresBind(value))
            sql += "$\(binds.count)"
        }

        /// Binds `value`, or NULL when it is nil.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value.map(PostgresBind.init) ?? PostgresBind(text: nil, type: Value.postgresType))
            sql += "$\(binds.count)"
        }

        /// Inserts SQL text fixed when the program was compiled (a clause chosen at run time among constants).
        public mutating func appendInterpolation(literal text: StaticString) {
            sql += text.description
        }

        /// Inserts `name` as a double-quoted identifier (a schema or table name chosen at run time).
        public mutating func appendInterpolation(identifier name: String) {
            sql += quoteIdentifier(name)
        }
    }
}

/// `name` as a double-quoted SQL identifier, with embedded quotes doubled.
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingAll("\"", with: "\"\"") + "\""
}

/// `text` as a single-quoted SQL literal, with embedded quotes doubled, for the few statements that
/// take no parameters (`COMMENT ON`); assumes `standard_conforming_strings`, on by default since 9.1.
public func quoteLiteral(_ text: String) -> String {
    "'" + text.replacingAll("'", with: "''") + "'"
}

/// One bound parameter: its text form (nil is NULL) and its type OID (0 lets the server infer it).
public struct PostgresBind: Sendable {
    /// The value as PostgreSQL's text input accepts it.
    public var text: String?
    /// The parameter's type OID; 0 means "infer from context".
    public var type: UInt32

    /// A bind from raw parts.
    public init(text: String?, type: UInt32) {
        self.text = text
        self.type = type
    }

    /// A bind of an encodable value.
    public init(_ value: some PostgresEncodable) {
        self.init(text: value.postgresText, type: Swift.type(of: value).postgresType)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
