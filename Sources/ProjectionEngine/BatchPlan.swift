import ProjectionCore

/// A row's address: its table and primary key.
struct RowAddress: Hashable, Sendable {
    var table: String
    var key: [SQLValue]
}

/// The pure half of a batch: each event's changes folded into one coalesced change per row, with
/// the events that failed or whose requirements (`RowChange.require`) are not met set aside.
///
/// A requirement on a row the batch has not touched depends on the database. Planning first assumes
/// such rows exist and records them; the writer checks them inside its transaction and, only when one
/// is missing, plans the batch again knowing which exist. The batch stays deterministic either way.
struct BatchPlan: Sendable {
    /// One event and what the projection made of it.
    struct Outcome: Sendable {
        var event: RecordedEvent
        var changes: Result<[RowChange], ProjectionFailure>
    }

    /// The coalesced changes, per table.
    var changes: [(table: String, rows: [(key: [SQLValue], change: CoalescedChange)])]
    /// Events the projection rejected or whose requirements failed.
    var deadLetters: [DeadLetter]
    /// Rows assumed to exist before the batch, in first-use order; empty when no requirement needed the database.
    var assumedRows: [RowAddress]

    /// Plans `outcomes` in order; `existing` answers for rows the batch did not touch, or nil to assume they exist.
    ///
    /// An event of a stream in `parked` (parked before the batch), or of a stream whose earlier event in
    /// the batch failed in a category that parks (`parksItsStream`), is not applied: it is a dead letter
    /// parked behind that stream's first (the architecture article, "Parking").
    ///
    /// `outcomes` is read once, so a lazy sequence lets each event's changes be coalesced and dropped
    /// as soon as they are made.
    init(_ outcomes: some Sequence<Outcome>, existing: Set<RowAddress>?, parked: [String: FirstLetter] = [:]) {
        var coalescer = Coalescer()
        var letters: [DeadLetter] = []
        var assumed: [RowAddress] = []
        var assumedSet: Set<RowAddress> = []
        var parked = parked
        for outcome in outcomes {
            if let first = parked[outcome.event.streamID] {
                letters.append(DeadLetter(parkedBehind: first, event: outcome.event))
                continue
            }
            switch outcome.changes {
            case .failure(let failure):
                letters.append(DeadLetter(event: outcome.event, failure: failure))
                if failure.category.parksItsStream {
                    parked[outcome.event.streamID] = FirstLetter(id: nil, eventID: outcome.event.eventID)
                }
            case .success(let changes):
                // Requirements are checked against the rows as they stand before this event's own changes.
                var unmet: ProjectionFailure?
                for change in changes {
                    guard let failure = change.unmetRequirement else { continue }
                    let address = RowAddress(table: change.table, key: change.key)
                    switch coalescer.existence(of: change.table, key: change.key) {
                    case .exists: continue
                    case .absent: unmet = failure
                    case .asBefore:
                        if let existing {
                            if !existing.contains(address) { unmet = failure }
                        } else if assumedSet.insert(address).inserted {
                            assumed.append(address)
                        }
                    }
                    if unmet != nil { break }
                }
                if let unmet {
                    letters.append(DeadLetter(event: outcome.event, failure: unmet))
                    if unmet.category.parksItsStream {
                        parked[outcome.event.streamID] = FirstLetter(id: nil, eventID: outcome.event.eventID)
                    }
                } else {
                    coalescer.add(contentsOf: changes)
                }
            }
        }
        self.changes = coalescer.changesByTable()
        self.deadLetters = letters
        self.assumedRows = assumed
    }
}
