import ProjectionCore

/// Rows of one table kept in memory, changed one `RowChange` at a time with the engine's semantics.
struct InMemoryTable {
    /// Non-key columns by primary key.
    private(set) var rows: [[SQLValue]: Columns] = [:]

    /// Applies `change`: insert-if-absent, upsert, update-if-present or delete; increments add to
    /// an integer (from 0 in a new row), as the engine's SQL does.
    ///
    /// - Returns: false when `change` is a requirement the table does not meet.
    @discardableResult
    mutating func apply(_ change: RowChange) -> Bool {
        switch change.kind {
        case .insert(let columns):
            if rows[change.key] == nil { rows[change.key] = Self.write(columns, over: [:]) }
        case .upsert(let columns):
            rows[change.key] = Self.write(columns, over: rows[change.key] ?? [:])
        case .update(let columns):
            if let row = rows[change.key] { rows[change.key] = Self.write(columns, over: row) }
        case .delete:
            rows[change.key] = nil
        case .requireExisting:
            return rows[change.key] != nil
        }
        return true
    }

    /// Applies every change in order.
    mutating func apply(_ changes: [RowChange]) {
        for change in changes { apply(change) }
    }

    /// The row at `entryID`, or nil.
    subscript(_ entryID: String) -> Columns? {
        rows[[.text(entryID)]]
    }

    /// The row at `key`, or nil.
    subscript(key key: [SQLValue]) -> Columns? {
        rows[key]
    }

    private static func write(_ columns: Columns, over row: Columns) -> Columns {
        var result = row
        for (column, value) in columns {
            if case .increment(let delta) = value {
                switch row[column] {
                case .int(let current)?: result[column] = .int(current + delta)
                case .null?: result[column] = .null
                default: result[column] = .int(delta)
                }
            } else {
                result[column] = value
            }
        }
        return result
    }
}
