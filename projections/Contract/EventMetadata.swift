/// The `metadata` object of an event (the event contract's envelope).
///
/// Only `schemaVersion` has a default; the other fields are optional here so that a read model that
/// does not need them does not dead-letter events over them, but each is validated when present.
public struct EventMetadata: Hashable, Sendable {
    /// The payload's schema version, or the event type's current version when the metadata had none.
    public var schemaVersion: Int
    /// When it happened in the world (ISO 8601 with an offset).
    public var occurredAt: Timestamp?
    /// The producing system: an ODS code or a system name.
    public var sourceSystem: String?
    /// Groups the events of one business transaction.
    public var correlationID: String?
    /// The event or command that caused this event.
    public var causationID: String?

    /// Creates metadata; tests build it directly, `decode(_:from:)` otherwise.
    public init(
        schemaVersion: Int,
        occurredAt: Timestamp? = nil,
        sourceSystem: String? = nil,
        correlationID: String? = nil,
        causationID: String? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.sourceSystem = sourceSystem
        self.correlationID = correlationID
        self.causationID = causationID
    }
}

/// The metadata as it arrives, before the schema version takes its per-type default.
struct MetadataFields: Decodable {
    private enum CodingKeys: String, CodingKey {
        case schemaVersion
        case occurredAt
        case sourceSystem
        case correlationID = "correlationId"
        case causationID = "causationId"
    }

    /// The version as sent; nil when missing.
    var schemaVersion: Int?
    /// As in `EventMetadata`.
    var occurredAt: Timestamp?
    /// As in `EventMetadata`.
    var sourceSystem: String?
    /// As in `EventMetadata`.
    var correlationID: String?
    /// As in `EventMetadata`.
    var causationID: String?

    /// Decodes and validates each field that is present.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.integerIfPresent(.schemaVersion)
        occurredAt = try container.timestampIfPresent(.occurredAt)
        sourceSystem = try container.textIfPresent(.sourceSystem)
        correlationID = try container.textIfPresent(.correlationID)
        causationID = try container.textIfPresent(.causationID)
    }

    /// The metadata with `defaultSchemaVersion` standing in for a missing version.
    func resolved(defaultSchemaVersion: Int) -> EventMetadata {
        EventMetadata(
            schemaVersion: schemaVersion ?? defaultSchemaVersion,
            occurredAt: occurredAt,
            sourceSystem: sourceSystem,
            correlationID: correlationID,
            causationID: causationID
        )
    }
}
