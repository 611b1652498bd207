import Postgres

/// Events made ready for `LogWriter.append(_:)`: the statement, with its five arrays already written out as
/// parameters.
///
/// Writing them out is real work for a large batch (every quote and backslash of every payload escaped for
/// the array literal): `import` does it for the next batch on another core while the server stores the last
/// one, instead of between two of the server's batches.
public struct AppendBatch: Sendable {
    /// How many events it holds.
    public let count: Int
    /// The `append_many_text` call (payloads as JSON text, which the server parses row by row); nil for no events.
    let query: Query?

    /// `events`, ready to append.
    public init(_ events: [NewEvent]) {
        count = events.count
        guard !events.isEmpty else {
            query = nil
            return
        }
        let streams = events.map(\.stream)
        let ids = events.map(\.eventID)
        let types = events.map(\.type)
        let data = events.map(\.data)
        let metadata = events.map(\.metadata)
        query = """
            SELECT eventlog.append_many_text(\(streams), \(ids)::uuid[], \(types), \(data), \(metadata))
            """
    }
}
