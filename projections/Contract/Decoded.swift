/// A validated payload together with its event's metadata.
public struct Decoded<Payload: EventPayload>: Sendable {
    /// The payload in its current shape, upcast when the event carried an older schema version.
    public var payload: Payload
    /// The event's metadata, with the schema version resolved to the type's default when missing.
    public var metadata: EventMetadata

    /// Pairs a payload with its metadata; tests build them directly, `decode(_:from:)` otherwise.
    public init(payload: Payload, metadata: EventMetadata) {
        self.payload = payload
        self.metadata = metadata
    }
}
