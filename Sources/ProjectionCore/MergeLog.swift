/// The log's patient-merge events up to a page being projected: what a projection may know of the log
/// beyond the event in hand.
///
/// A projection is a pure function of one event, but a merge of two patients' records
/// (`PatientRecordsMerged`) changes what every later event means: a later event naming the superseded
/// number is about the retained patient, and a merge that would make a cycle is refused. So every event
/// the log reader returns carries the merge events of the log before the end of its page, all of them,
/// whatever types the reader was asked for; the contract folds them into a map and answers "as of this
/// event's position", so an event reads the same map live, in a rebuild, in `verify` and at `--as-of`.
///
/// Merges are rare (a small share of patients, each merged once), so the whole list is kept; an event
/// holds a reference to it, not a copy. Which of them are valid is the contract's business (`folded(_:)`).
public struct MergeLog: Sendable {
    /// One merge event, as the log holds it (its own `merges` empty): the contract decides whether it is valid
    /// exactly as a projection handling it does.
    public typealias Entry = RecordedEvent

    private final class Storage: Sendable {
        let entries: [Entry]
        let folded = DecodeCache()
        /// The fold of a shorter list this one extends (its first `count` entries), so a fold can grow by the
        /// merges that arrived instead of starting again; a reference to that fold only, never to the list.
        let seed: (count: Int, cache: DecodeCache)?

        init(entries: [Entry], seed: (count: Int, cache: DecodeCache)?) {
            self.entries = entries
            self.seed = seed
        }
    }

    private var storage: Storage
    /// How far the log was read for merges: every merge event at or before it is in `entries`.
    public private(set) var end: LogPosition

    /// No merges, read up to the start of the log.
    public static let empty = MergeLog(storage: Storage(entries: [], seed: nil), end: .start)

    private init(storage: Storage, end: LogPosition) {
        self.storage = storage
        self.end = end
    }

    /// Every merge event before `end`, in log order.
    public var entries: [Entry] { storage.entries }

    /// This list with `more` (merge events after `end`, in log order) appended, read up to `newEnd`.
    public func extended(with more: [Entry], to newEnd: LogPosition) -> MergeLog {
        precondition(newEnd >= end, "a merge log is only read forwards")
        guard !more.isEmpty else { return MergeLog(storage: storage, end: newEnd) }
        let seed = storage.folded.isEmpty ? storage.seed : (storage.entries.count, storage.folded)
        return MergeLog(storage: Storage(entries: storage.entries + more, seed: seed), end: newEnd)
    }

    /// What `fold` makes of these entries, computed once per list and kept with it.
    ///
    /// `fold` receives the fold of a shorter list these entries extend, when one was computed, and the entries
    /// past it, so a map grows by the merges that arrive instead of being refolded from the start. It must
    /// give the same value either way.
    public func folded<Value: Sendable>(
        _ fold: (_ previous: Value?, _ newEntries: ArraySlice<Entry>) -> Value
    ) -> Value {
        storage.folded.value(for: Value.self) {
            if let seed = storage.seed, let previous: Value = seed.cache.cached(for: Value.self) {
                return fold(previous, storage.entries[seed.count...])
            }
            return fold(nil, storage.entries[...])
        }
    }
}
