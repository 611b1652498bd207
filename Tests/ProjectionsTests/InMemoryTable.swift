import ProjectionCore

/// Rows of one table kept in memory, changed one `RowChange` at a time with the engine's semantics.
struct InMemoryTable {
    /// Non-key columns by primary key.
    private(set) var rows: [[SQLValue]: Columns] = [:]

    /// Applies `change`: insert-if-absent, upsert, update-if-present or delete.
    mutating func apply(_ change: RowChange) {
        switch change.kind {
        case .insert(let columns):
            if rows[change.key] == nil { rows[change.key] = columns }
        case .upsert(let columns):
            rows[change.key] = (rows[change.key] ?? [:]).merging(columns) { _, new in new }
        case .update(let columns):
            if let row = rows[change.key] { rows[change.key] = row.merging(columns) { _, new in new } }
        case .delete:
            rows[change.key] = nil
        }
    }

    /// Applies every change in order.
    mutating func apply(_ changes: [RowChange]) {
        for change in changes { apply(change) }
    }

    /// The row at `entryID`, or nil.
    subscript(_ entryID: String) -> Columns? {
        rows[[.text(entryID)]]
    }
}
