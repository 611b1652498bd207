import ProjectionCore
import ProjectorCLI

/// A read model that kills the process, as a bug in a projection would, on a journal entry whose payload holds
/// the bytes `"trapdoor"`; every other entry is one row. Only in this test build: the shipped `projector` has
/// no such read model.
///
/// The trap is Swift's own (an overflow check), not a thrown error: nothing can catch it, which is what the
/// poison-pill breaker is for.
struct TrapdoorProjection: Projection {
    var name: String { "trapdoor" }
    var version: Int { 1 }
    var eventTypes: Set<String> { ["JournalEntryAdded"] }
    var tables: [TableSpec] { [TableSpec(name: "entries", primaryKey: ["event_id"])] }
    var schemaSQL: String {
        """
        CREATE TABLE entries (
            event_id      text   PRIMARY KEY,
            last_position bigint NOT NULL
        );
        """
    }

    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        if Self.opens(event.data) {
            // Computed from the payload so the optimiser cannot see the overflow coming.
            let steps = Int.max - 1 + event.data.count
            precondition(steps > 0, "unreachable: the addition above traps first")
        }
        var columns = Columns()
        columns["last_position"] = .int(event.position.globalPosition)
        return [.upsert("entries", key: [.text(event.eventID)], columns)]
    }

    /// Whether `data` holds the bytes `"trapdoor"`, quotes included.
    static func opens(_ data: [UInt8]) -> Bool {
        let needle = Array("\"trapdoor\"".utf8)
        guard data.count >= needle.count else { return false }
        return (0...(data.count - needle.count)).contains { data[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

await ProjectorCLI.main(adding: [TrapdoorProjection()])
