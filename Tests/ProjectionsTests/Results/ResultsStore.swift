import ProjectionCore
import ResultsProjection

/// The results read model's tables in memory, changed one event at a time with the engine's semantics.
struct ResultsStore {
    /// The tables by name; a table no change has touched is absent.
    private(set) var tables: [String: InMemoryTable] = [:]

    private let projection = ResultsProjection()

    /// Applies every change `event` causes, or none when one of its requirements is unmet.
    ///
    /// - Returns: false when a requirement is unmet: the engine dead-letters the event and changes nothing.
    @discardableResult
    mutating func apply(_ event: RecordedEvent) throws(ProjectionFailure) -> Bool {
        var changed = tables
        for change in try projection.changes(for: event) {
            guard changed[change.table, default: InMemoryTable()].apply(change) else { return false }
        }
        tables = changed
        return true
    }

    /// The `lab_results` row of `resultID`, or nil.
    func result(_ resultID: String) -> Columns? {
        tables["lab_results"]?[key: [.text(resultID)]]
    }

    /// The `orders` row of `orderID`, or nil.
    func order(_ orderID: String) -> Columns? {
        tables["orders"]?[key: [.text(orderID)]]
    }

    /// The `result_history` rows of `resultID`, oldest first.
    func history(_ resultID: String) -> [Columns] {
        let rows = tables["result_history"]?.rows ?? [:]
        return rows.keys
            .filter { $0.first == .text(resultID) }
            .sorted { ResultsStore.position($0) < ResultsStore.position($1) }
            .compactMap { rows[$0] }
    }

    private static func position(_ key: [SQLValue]) -> Int64 {
        if case .int(let position) = key.last { position } else { -1 }
    }
}
