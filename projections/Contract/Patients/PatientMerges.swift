import ProjectionCore

/// The log's valid patient merges, folded from the merge events an event carries (`RecordedEvent.merges`),
/// and the rules a merge must keep.
///
/// A merge of superseded number S into retained number R is valid when S has not been merged before and R
/// is not (through a chain of merges) S's own record: that would make a cycle. Chains follow through: A
/// merged into B, later B into C, and A's and B's records are C's. A merge the fold refuses is dead-lettered
/// by every projection that handles it, with the same reason, because both apply `refusal(of:at:)` to the
/// same earlier merges; the fold is a function of the log alone, so live runs, rebuilds, `verify` and
/// `--as-of` agree on it.
public struct PatientMerges: Sendable {
    private struct Merge: Sendable {
        var position: LogPosition
        var retained: String
    }

    /// Valid merges by superseded number: a number is superseded once at most.
    private var supersededBy: [String: Merge] = [:]
    /// The numbers merged directly into each number, for the records that move with it along a chain.
    private var mergedInto: [String: [String]] = [:]

    /// The merges valid in `log`, folded once per list and kept with it.
    public static func of(_ log: MergeLog) -> PatientMerges {
        log.folded { (previous: PatientMerges?, entries) in
            var merges = previous ?? PatientMerges()
            for entry in entries {
                guard let merge = try? decode(PatientRecordsMerged.self, from: entry),
                    merges.refusal(of: merge.payload, at: entry.position) == nil
                else { continue }
                merges.add(merge.payload, at: entry.position)
            }
            return merges
        }
    }

    /// Why the merge at `position` cannot be applied given the merges before it, or nil when it can.
    public func refusal(of merge: PatientRecordsMerged, at position: LogPosition) -> ProjectionFailure? {
        let superseded = merge.supersededNhsNumber.digits
        if let earlier = supersededBy[superseded], earlier.position < position {
            return ProjectionFailure(
                .invalidPayload,
                "data.supersededNhsNumber: already merged into another record; a number is superseded once"
            )
        }
        if retained(merge.retainedNhsNumber.digits, before: position) == superseded {
            return ProjectionFailure(
                .invalidPayload,
                "data: would make a cycle of merges (the retained record is already merged into the superseded one)"
            )
        }
        return nil
    }

    /// The number `number`'s records are shown under just before `position`: itself unless it was merged,
    /// else the end of its chain of merges.
    public func retained(_ number: String, before position: LogPosition) -> String {
        var current = number
        // A valid fold has no cycles; the bound keeps even a broken one from looping.
        for _ in 0...supersededBy.count {
            guard let merge = supersededBy[current], merge.position < position else { return current }
            current = merge.retained
        }
        return current
    }

    /// Every number whose records were shown under `number` just before `position` (merged into it directly or
    /// along a chain), not `number` itself: the records that move with it when it is merged in turn.
    public func merged(into number: String, before position: LogPosition) -> [String] {
        var found: [String] = []
        var pending = [number]
        while let next = pending.popLast(), found.count <= supersededBy.count {
            for child in mergedInto[next, default: []] where supersededBy[child].map({ $0.position < position }) == true
            {
                found.append(child)
                pending.append(child)
            }
        }
        return found
    }

    private mutating func add(_ merge: PatientRecordsMerged, at position: LogPosition) {
        let superseded = merge.supersededNhsNumber.digits
        let retained = merge.retainedNhsNumber.digits
        supersededBy[superseded] = Merge(position: position, retained: retained)
        mergedInto[retained, default: []].append(superseded)
    }
}
