/// One change a projection asks for, addressed by table and primary key.
///
/// Projections never read the database, so a change says what to do whatever the row's current
/// state: `update` and `insert` are defined both when the row exists and when it does not.
public struct RowChange: Hashable, Sendable {
    /// What to do with the row.
    public enum Kind: Hashable, Sendable {
        /// Insert the row when its key is absent; do nothing when it exists.
        case insert(Columns)
        /// Insert the row, or overwrite the given columns of the existing one.
        case upsert(Columns)
        /// Set the given columns when the row exists; do nothing when it does not.
        case update(Columns)
        /// Remove the row when it exists.
        case delete
        /// Change nothing, but require the row to exist at this point of the event stream: when it
        /// does not, the engine dead-letters the whole event (in `category`, with `reason`) instead of
        /// applying any of its changes. `reason` must not hold patient data.
        case requireExisting(reason: String, category: ProjectionFailure.Category)
    }

    /// The table, unqualified: one of the projection's `tables`.
    public var table: String
    /// The primary key values, in the order of the table's `TableSpec.primaryKey`.
    public var key: [SQLValue]
    /// What to do.
    public var kind: Kind

    /// Creates a change.
    public init(table: String, key: [SQLValue], kind: Kind) {
        self.table = table
        self.key = key
        self.kind = kind
    }

    /// Insert-if-absent of a row.
    public static func insert(_ table: String, key: [SQLValue], _ columns: Columns) -> RowChange {
        RowChange(table: table, key: key, kind: .insert(columns))
    }

    /// Insert, or overwrite the given columns.
    public static func upsert(_ table: String, key: [SQLValue], _ columns: Columns) -> RowChange {
        RowChange(table: table, key: key, kind: .upsert(columns))
    }

    /// Partial update of an existing row.
    public static func update(_ table: String, key: [SQLValue], _ columns: Columns) -> RowChange {
        RowChange(table: table, key: key, kind: .update(columns))
    }

    /// Delete by key.
    public static func delete(_ table: String, key: [SQLValue]) -> RowChange {
        RowChange(table: table, key: key, kind: .delete)
    }

    /// The row must exist, or the event is dead-lettered with `reason`, by default as a missing precondition
    /// (parking nothing), or in `category` (`outOfOrder` parks its stream).
    public static func require(
        _ table: String,
        key: [SQLValue],
        because reason: String,
        category: ProjectionFailure.Category = .missingPrecondition
    ) -> RowChange {
        RowChange(table: table, key: key, kind: .requireExisting(reason: reason, category: category))
    }

    /// The failure of the requirement this change states, when its row is missing; nil for other changes.
    public var unmetRequirement: ProjectionFailure? {
        if case .requireExisting(let reason, let category) = kind { ProjectionFailure(category, reason) } else { nil }
    }

    /// The requirement this change states, if it is one.
    public var requirement: String? {
        if case .requireExisting(let reason, _) = kind { reason } else { nil }
    }
}

/// A read-model table as the engine needs to know it: its name and primary key columns.
public struct TableSpec: Hashable, Sendable {
    /// The unqualified table name, as in the projection's `schema.sql`.
    public var name: String
    /// The primary key columns, in the order `RowChange.key` gives their values.
    public var primaryKey: [String]

    /// Creates a table description.
    public init(name: String, primaryKey: [String]) {
        self.name = name
        self.primaryKey = primaryKey
    }
}
