/// A Swift value that can be read from a column in PostgreSQL's text output format.
public protocol PostgresDecodable: Sendable {
    /// Parses the text PostgreSQL printed for the column.
    init(postgresText: String) throws(PostgresError)
}

private func undecodable(_ type: String) -> PostgresError {
    PostgresError(kind: .client, message: "column value is not a valid \(type)")
}

extension String: PostgresDecodable {
    public init(postgresText: String) { self = postgresText }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int64(postgresText) else { throw undecodable("bigint") }
        self = value
    }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int(postgresText) else { throw undecodable("integer") }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int32(postgresText) else { throw undecodable("integer") }
        self = value
    }
}

extension UInt64: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = UInt64(postgresText) else { throw undecodable("xid8") }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: throw undecodable("boolean")
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Double(postgresText) else { throw undecodable("double precision") }
        self = value
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        var result: [Element] = []
        for item in try PostgresArray.parse(postgresText) {
            guard let item else { throw undecodable("array without NULL elements") }
            result.append(try Element(postgresText: item))
        }
        self = result
    }
}
