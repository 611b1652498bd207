import ProjectionCore

extension Payloads {
    /// `ConsentWithdrawn` of `consent-1` (granted by `consentGranted()`), from 1 March 2026.
    static func consentWithdrawn(reason: String? = "Moved to another practice") -> [String: Any] {
        var payload: [String: Any] = [
            "consentId": "consent-1", "nhsNumber": nhsNumber, "withdrawnAt": "2026-03-01T00:00:00+00:00",
        ]
        payload["reason"] = reason
        return payload
    }

    /// `ConsentGranted` of `consent-2`: a person may see results and the journal for research until 1 July 2026.
    static func consentGrantedForResearch() -> [String: Any] {
        [
            "consentId": "consent-2", "nhsNumber": nhsNumber,
            "grantee": ["type": "person", "id": "GMC-7012345"],
            "scopes": ["results", "journal"], "purpose": "research",
            "grantedAt": "2026-02-01T09:00:00+01:00", "expiresAt": "2026-07-01T00:00:00Z",
        ]
    }
}

/// The consent read model's two tables in memory, changed one event at a time as the engine changes them.
struct ConsentStore {
    /// `consents`.
    private(set) var consents = InMemoryTable()
    /// `consent_history`.
    private(set) var history = InMemoryTable()

    /// Applies one event's changes in order, or none of them when one of its requirements is unmet,
    /// since the engine then dead-letters the whole event.
    ///
    /// - Returns: the unmet requirement's reason, or nil when every change was applied.
    @discardableResult
    mutating func apply(_ changes: [RowChange]) -> String? {
        var next = self
        for change in changes {
            let met =
                switch change.table {
                case "consents": next.consents.apply(change)
                case "consent_history": next.history.apply(change)
                default: false
                }
            if !met { return change.requirement ?? "unknown table" }
        }
        self = next
        return nil
    }

    /// The `consents` row of `consentID`, or nil.
    func consent(_ consentID: String) -> Columns? {
        consents[consentID]
    }

    /// The history rows of `consentID`, by global position.
    func history(of consentID: String) -> [Int64: Columns] {
        var rows: [Int64: Columns] = [:]
        for (key, row) in history.rows where key.first == .text(consentID) {
            if case .int(let position)? = key.last { rows[position] = row }
        }
        return rows
    }
}
