/// The net effect of several `RowChange`s on one row, whatever the row's state before them.
///
/// The batch applier turns each case into set-based statements run in this order per table:
/// DELETE (for `delete` and `replace`), UPDATE (for `merge.set`), then INSERT … ON CONFLICT
/// DO NOTHING (for `replace` and `merge.insert`).
public enum CoalescedChange: Hashable, Sendable {
    /// The row must not exist.
    case delete
    /// The row must be exactly these columns (plus the key); columns not named take their defaults.
    case replace(Columns)
    /// When the row exists, set `set`; when it does not, insert `insert` (if any).
    case merge(insert: Columns?, set: Columns)
}

/// Folds the row changes of a batch into one `CoalescedChange` per table and key, in event order.
///
/// Applying the coalesced changes leaves the same rows as applying every change one at a time
/// (a property test checks it), with one statement per table and kind instead of one per change.
public struct Coalescer: Sendable {
    /// A row's address.
    public struct RowKey: Hashable, Sendable {
        /// The unqualified table name.
        public var table: String
        /// The primary key values.
        public var key: [SQLValue]
    }

    private var effects: [RowKey: CoalescedChange] = [:]
    private var order: [RowKey] = []

    /// Creates an empty coalescer.
    public init() {}

    /// How many distinct rows the added changes touch.
    public var count: Int { order.count }

    /// Adds `change` after every change added before it.
    public mutating func add(_ change: RowChange) {
        if change.requirement != nil { return }
        let address = RowKey(table: change.table, key: change.key)
        let previous = effects[address]
        if previous == nil { order.append(address) }
        effects[address] = Coalescer.combine(previous, change.kind)
    }

    /// Adds `changes` in order.
    public mutating func add(contentsOf changes: some Sequence<RowChange>) {
        for change in changes { add(change) }
    }

    /// What the changes added so far say about whether a row exists.
    public enum Existence: Sendable, Equatable {
        /// The row exists, whatever it was before the batch.
        case exists
        /// The row does not exist.
        case absent
        /// As it was before the batch: only the database knows.
        case asBefore
    }

    /// Whether the row at `table` / `key` exists after the changes added so far, as far as they tell.
    public func existence(of table: String, key: [SQLValue]) -> Existence {
        switch effects[RowKey(table: table, key: key)] {
        case nil, .merge(insert: nil, set: _): .asBefore
        case .delete: .absent
        case .replace, .merge(insert: .some, set: _): .exists
        }
    }

    /// The coalesced changes grouped by table, tables and rows in the order they were first touched.
    public func changesByTable() -> [(table: String, rows: [(key: [SQLValue], change: CoalescedChange)])] {
        var tableOrder: [String] = []
        var grouped: [String: [(key: [SQLValue], change: CoalescedChange)]] = [:]
        for address in order {
            guard let effect = effects[address] else { continue }
            if grouped[address.table] == nil { tableOrder.append(address.table) }
            grouped[address.table, default: []].append((address.key, effect))
        }
        return tableOrder.map { ($0, grouped[$0] ?? []) }
    }

    /// The effect of `previous` followed by `next`.
    static func combine(_ previous: CoalescedChange?, _ next: RowChange.Kind) -> CoalescedChange {
        switch (previous, next) {
        case (_, .delete):
            return .delete

        // A requirement changes no row (`add` skips it); the batch applier checks it.
        case (_, .requireExisting):
            return previous ?? .merge(insert: nil, set: [:])

        case (nil, .insert(let row)):
            return .merge(insert: row.asRowImage, set: [:])
        case (nil, .upsert(let row)):
            return .merge(insert: row.asRowImage, set: row)
        case (nil, .update(let columns)):
            return .merge(insert: nil, set: columns)

        // The row is known to be absent.
        case (.delete, .insert(let row)), (.delete, .upsert(let row)):
            return .replace(row.asRowImage)
        case (.delete, .update):
            return .delete

        // The row is known to exist with exactly `row`.
        case (.replace(let row), .insert):
            return .replace(row)
        case (.replace(let row), .upsert(let columns)), (.replace(let row), .update(let columns)):
            return .replace(row.overlaid(with: columns))

        // Unknown before the batch: track both branches.
        case (.merge(let insert, let set), .insert(let row)):
            return .merge(insert: insert ?? row.asRowImage, set: set)
        case (.merge(let insert, let set), .upsert(let row)):
            return .merge(
                insert: insert.map { $0.overlaid(with: row) } ?? row.asRowImage,
                set: set.followed(by: row)
            )
        case (.merge(let insert, let set), .update(let columns)):
            return .merge(insert: insert.map { $0.overlaid(with: columns) }, set: set.followed(by: columns))
        }
    }
}

extension Columns {
    /// This whole row with `other`'s values written over it, increments applied.
    func overlaid(with other: Columns) -> Columns {
        merged(with: other, SQLValue.image)
    }

    /// These assignments followed by `other`'s: increments of columns not yet assigned stay increments.
    func followed(by other: Columns) -> Columns {
        merged(with: other, SQLValue.assignment)
    }

    /// The row these columns describe when written whole: increments count from 0.
    var asRowImage: Columns {
        // Most rows hold no increment: share their storage instead of copying it.
        guard columns.contains(where: \.value.isIncrement) else { return self }
        return mapValues { SQLValue.image(Optional.none, then: $0) }
    }
}
