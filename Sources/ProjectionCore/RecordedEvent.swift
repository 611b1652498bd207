/// One stored event, as a projection sees it: the envelope of `eventlog.events` (the event contract).
///
/// - Important: `streamID` embeds NHS numbers (`consent-<nhsNumber>`) and `data` is patient data:
///   neither may reach a log line or an error message. Log `position`, `eventID` and `eventType`.
public struct RecordedEvent: Sendable {
    /// Where the event stands in the log.
    public var position: LogPosition
    /// `<category>-<id>`; patient data, never logged.
    public var streamID: String
    /// 0, 1, 2 … within the stream.
    public var streamPosition: Int64
    /// The producer's idempotency key, a UUID in its canonical lowercase text form.
    public var eventID: String
    /// One of the names of the event contract; unknown types are ignored by projections.
    public var eventType: String
    /// The payload: the UTF-8 bytes of one JSON object.
    public var data: [UInt8] { didSet { decoded = DecodeCache() } }
    /// The metadata: the UTF-8 bytes of one JSON object (`schemaVersion`, `occurredAt`, `sourceSystem` …).
    public var metadata: [UInt8] { didSet { decoded = DecodeCache() } }
    /// When the log stored the event, as PostgreSQL printed the `timestamptz`.
    public var recordedAt: String
    /// The log's patient merges up to this event's page (at least up to the event): the contract reads the
    /// merges before `position` from it. Empty for an event built outside the log (a test) unless set.
    public var merges = MergeLog.empty { didSet { decoded = DecodeCache() } }
    /// What projections decoded from it, so the projections of one runner parse its JSON once; a copy
    /// whose payload or metadata is changed starts a cache of its own.
    public private(set) var decoded = DecodeCache()

    /// Creates an event; tests build them directly, the event log reads them from PostgreSQL.
    public init(
        position: LogPosition,
        streamID: String,
        streamPosition: Int64,
        eventID: String,
        eventType: String,
        data: [UInt8],
        metadata: [UInt8],
        recordedAt: String
    ) {
        self.position = position
        self.streamID = streamID
        self.streamPosition = streamPosition
        self.eventID = eventID
        self.eventType = eventType
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
    }

    /// The part of `streamID` before the first `-` (`consent`, `appointment` …): safe to log, unlike the id.
    public var streamCategory: Substring {
        streamID.prefix { $0 != "-" }
    }
}
