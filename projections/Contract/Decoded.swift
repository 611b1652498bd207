import ProjectionCore

/// A validated payload together with its event's metadata, and where the event stands among the log's merges.
public struct Decoded<Payload: EventPayload>: Sendable {
    /// The payload in its current shape, upcast when the event carried an older schema version.
    public var payload: Payload
    /// The event's metadata, with the schema version resolved to the type's default when missing.
    public var metadata: EventMetadata
    /// The event's position in the log.
    public var position: LogPosition
    /// The log's merge events the event carries (`RecordedEvent.merges`).
    public var mergeLog: MergeLog

    /// Pairs a payload with its metadata; tests build them directly, `decode(_:from:)` otherwise.
    public init(
        payload: Payload,
        metadata: EventMetadata,
        position: LogPosition = .start,
        mergeLog: MergeLog = .empty
    ) {
        self.payload = payload
        self.metadata = metadata
        self.position = position
        self.mergeLog = mergeLog
    }

    /// The log's valid merges, folded once per merge list: ask them as of `position`.
    public var merges: PatientMerges { PatientMerges.of(mergeLog) }
}
