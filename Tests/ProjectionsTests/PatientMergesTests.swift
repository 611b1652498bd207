import ProjectionContract
import ProjectionCore
import Testing

/// Merged records (`PatientRecordsMerged`): which merges are valid, where a number's records show, and the
/// rows every read model's `merged_numbers` gets (the event contract, "Merged records").
@Suite struct PatientMergesTests {
    static let (a, b, c, d) = ("9990000018", "9990000026", "9990000034", "9990000042")

    /// A merge of `superseded` into `retained` at global position `position`, in `retained`'s stream.
    static func merge(_ superseded: String, into retained: String, at position: Int64) -> RecordedEvent {
        var event = recordedEvent(
            "PatientRecordsMerged",
            [
                "retainedNhsNumber": retained, "supersededNhsNumber": superseded,
                "mergedAt": "2026-03-01T09:00:00+00:00",
            ],
            position: position
        )
        event.streamID = "patient-\(retained)"
        return event
    }

    /// `events` as a log of merge events read up to `end`, and `event` carrying it.
    static func carrying(_ event: RecordedEvent, merges events: [RecordedEvent]) -> RecordedEvent {
        var event = event
        event.merges = MergeLog.empty.extended(with: events, to: LogPosition(transactionID: .max, globalPosition: 0))
        return event
    }

    /// The rows `event`, a merge carrying `earlier`, gives `merged_numbers`, or its failure.
    static func rows(for event: RecordedEvent, after earlier: [RecordedEvent]) throws(ProjectionFailure) -> [RowChange]
    {
        try MergedNumbers.changes(
            for: decode(PatientRecordsMerged.self, from: carrying(event, merges: earlier + [event]))
        )
    }

    @Test func aChainOfMergesShowsEveryEarlierNumberUnderTheLastRetainedOne() throws {
        let first = Self.merge(Self.a, into: Self.b, at: 10)
        let second = Self.merge(Self.b, into: Self.c, at: 20)
        let merges = PatientMerges.of(MergeLog.empty.extended(with: [first, second], to: second.position))
        #expect(merges.retained(Self.a, before: first.position) == Self.a, "not merged before its own merge")
        #expect(merges.retained(Self.a, before: second.position) == Self.b)
        #expect(merges.retained(Self.a, before: LogPosition(transactionID: 2_000, globalPosition: 30)) == Self.c)
        #expect(merges.retained(Self.c, before: LogPosition(transactionID: 2_000, globalPosition: 30)) == Self.c)
        #expect(
            merges.merged(into: Self.c, before: LogPosition(transactionID: 2_000, globalPosition: 30)).sorted() == [
                Self.a, Self.b,
            ]
        )

        // B into C moves B and, with it, A, which was merged into B before.
        var table = InMemoryTable()
        table.apply(try Self.rows(for: first, after: []))
        table.apply(try Self.rows(for: second, after: [first]))
        #expect(table.rows[[.text(Self.a)]]?["retained_nhs_number"] == .text(Self.c))
        #expect(table.rows[[.text(Self.b)]]?["retained_nhs_number"] == .text(Self.c))
        #expect(table.rows[[.text(Self.a)]]?["last_position"] == .int(20))
        #expect(table.rows.count == 2)
    }

    @Test func aMergeIntoARecordAlreadyMergedIntoTheSupersededOneIsACycle() throws {
        let first = Self.merge(Self.a, into: Self.b, at: 10)
        let second = Self.merge(Self.b, into: Self.c, at: 20)
        let cycle = Self.merge(Self.c, into: Self.a, at: 30)
        let failure = #expect(throws: ProjectionFailure.self) { try Self.rows(for: cycle, after: [first, second]) }
        #expect(failure?.category == .invalidPayload)
        #expect(
            failure?.reason
                == "data: would make a cycle of merges (the retained record is already merged into the superseded one)"
        )
        // The refused merge is not in the map: C still shows under C, A under C.
        let merges = PatientMerges.of(MergeLog.empty.extended(with: [first, second, cycle], to: cycle.position))
        let after = LogPosition(transactionID: 5_000, globalPosition: 99)
        #expect(merges.retained(Self.c, before: after) == Self.c)
        #expect(merges.retained(Self.a, before: after) == Self.c)
    }

    @Test func aNumberIsSupersededOnceAndNeverIntoItself() throws {
        let first = Self.merge(Self.a, into: Self.b, at: 10)
        let again = Self.merge(Self.a, into: Self.c, at: 20)
        let twice = #expect(throws: ProjectionFailure.self) { try Self.rows(for: again, after: [first]) }
        #expect(
            twice?.reason == "data.supersededNhsNumber: already merged into another record; a number is superseded once"
        )
        let itself = #expect(throws: ProjectionFailure.self) {
            try Self.rows(for: Self.merge(Self.a, into: Self.a, at: 30), after: [])
        }
        #expect(
            itself?.reason
                == "data.supersededNhsNumber: must differ from retainedNhsNumber (a record cannot be merged into itself)"
        )
        // A merge in a stream not named after its retained number is refused, merged or not.
        var elsewhere = Self.merge(Self.c, into: Self.b, at: 40)
        elsewhere.streamID = "patient-\(Self.a)"
        let misplaced = #expect(throws: ProjectionFailure.self) { try Self.rows(for: elsewhere, after: [first]) }
        #expect(
            misplaced?.reason
                == "data.retainedNhsNumber: must be the patient the stream is named after (patient-<NHS number>)"
        )
    }

    @Test func aMergeTheContractRefusesIsNotInTheMap() {
        var broken = Self.merge(Self.a, into: Self.b, at: 10)
        broken.data = Array(
            #"{"retainedNhsNumber":"9990000026","supersededNhsNumber":"9990000019","mergedAt":"x"}"#.utf8
        )
        let merges = PatientMerges.of(MergeLog.empty.extended(with: [broken], to: broken.position))
        #expect(
            merges.retained("9990000019", before: LogPosition(transactionID: 9_000, globalPosition: 1)) == "9990000019"
        )
    }

    @Test func aMapGrownByNewMergesEqualsOneFoldedFromTheStart() {
        let merges = [
            Self.merge(Self.a, into: Self.b, at: 10), Self.merge(Self.b, into: Self.c, at: 20),
            Self.merge(Self.c, into: Self.a, at: 30), Self.merge(Self.d, into: Self.a, at: 40),
        ]
        var grown = MergeLog.empty
        for merge in merges {
            grown = grown.extended(with: [merge], to: merge.position)
            _ = PatientMerges.of(grown)  // folds each list, so the next one starts from it
        }
        let whole = PatientMerges.of(MergeLog.empty.extended(with: merges, to: merges[3].position))
        let end = LogPosition(transactionID: 9_000, globalPosition: 1)
        for number in [Self.a, Self.b, Self.c, Self.d] {
            #expect(PatientMerges.of(grown).retained(number, before: end) == whole.retained(number, before: end))
        }
        #expect(whole.retained(Self.d, before: end) == Self.c)
    }

    @Test(.bug(id: 21, "the stream rule had to accept a number merged with the stream's own"))
    func afterAMergeEitherNumberMayBeNamedInEitherNumbersStream() throws {
        let merge = Self.merge(Self.a, into: Self.b, at: 10)
        var journal = recordedEvent(
            "JournalEntryAdded",
            Payloads.journalEntryAdded().setting("nhsNumber", to: Self.b),
            position: 20
        )
        journal.streamID = "journal-\(Self.a)"
        let accepted = try decode(JournalEntryAdded.self, from: Self.carrying(journal, merges: [merge]))
        #expect(accepted.payload.nhsNumber.digits == Self.b)
        // Before the merge, the same event names another patient than its stream.
        var before = journal
        before.position = LogPosition(transactionID: 1_000, globalPosition: 5)
        let refused = #expect(throws: ProjectionFailure.self) {
            try decode(JournalEntryAdded.self, from: Self.carrying(before, merges: [merge]))
        }
        #expect(refused?.category == .invalidPayload)
        // A number merged with neither is still another patient.
        var stranger = journal
        stranger.streamID = "journal-\(Self.c)"
        #expect(throws: ProjectionFailure.self) {
            try decode(JournalEntryAdded.self, from: Self.carrying(stranger, merges: [merge]))
        }
    }
}
