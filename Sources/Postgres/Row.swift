/// One row of a result, its values in PostgreSQL's text format.
public struct Row: Sendable {
    /// The result's column names, shared by its rows.
    public let columns: [String]
    /// The values, one per column; nil is NULL.
    public let values: [String?]

    /// The raw text of column `index`, nil for NULL.
    public subscript(index: Int) -> String? { values[index] }

    /// Decodes column `index`.
    ///
    /// - Throws: `PostgresError` (client) when the value is NULL or does not parse as `T`.
    public func decode<T: PostgresDecodable>(_: T.Type = T.self, at index: Int) throws(PostgresError) -> T {
        guard let text = values[index] else {
            throw PostgresError(kind: .client, message: "column \(columns[index]) is NULL")
        }
        return try T(postgresText: text)
    }

    /// Decodes column `index`, nil for NULL.
    public func decode<T: PostgresDecodable>(_: T?.Type, at index: Int) throws(PostgresError) -> T? {
        guard let text = values[index] else { return nil }
        return try T(postgresText: text)
    }

    /// Decodes the column named `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ name: String) throws(PostgresError) -> T {
        try decode(type, at: index(of: name))
    }

    /// Decodes the column named `name`, nil for NULL.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, _ name: String) throws(PostgresError) -> T? {
        try decode(type, at: index(of: name))
    }

    private func index(of name: String) throws(PostgresError) -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(kind: .client, message: "no column named \(name)")
        }
        return index
    }
}

/// What a statement returned: its rows and, for INSERT/UPDATE/DELETE, how many rows it touched.
public struct QueryResult: Sendable {
    /// The rows, in the order the server sent them.
    public let rows: [Row]
    /// The number of rows a data-changing statement affected (`PQcmdTuples`); 0 otherwise.
    public let affectedRows: Int
}
