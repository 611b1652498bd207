import ProjectionCore

/// A projection's handling of each event type, keyed by type.
///
/// The projection's `eventTypes` come from here, so a type can be neither handled without being read
/// nor read without being handled. Each handler receives the payload decoded and validated through
/// the contract (`decode(_:from:)`), with the event's global position for lineage.
public struct EventHandlers<Owner: Sendable>: Sendable {
    // A Result, not a typed-throws closure: storing one of those crashes the 6.3 compiler.
    private typealias Handler = @Sendable (Owner, RecordedEvent) -> Result<[RowChange], ProjectionFailure>
    private var handlers: [String: Handler] = [:]
    /// The event types handled.
    public private(set) var eventTypes: Set<String> = []

    /// No handlers yet.
    public init() {}

    /// These handlers and one for `Payload.eventType`, which hands `handle` the decoded payload.
    ///
    /// - Important: one handler per event type; a second is a programming error and stops the process.
    public func on<Payload: EventPayload>(
        _: Payload.Type,
        _ handle: @escaping @Sendable (Owner, Decoded<Payload>, Int64) throws(ProjectionFailure) -> [RowChange]
    ) -> Self {
        precondition(handlers[Payload.eventType] == nil, "\(Payload.eventType) has two handlers")
        var handlers = self
        handlers.eventTypes.insert(Payload.eventType)
        handlers.handlers[Payload.eventType] = { owner, event in
            do throws(ProjectionFailure) {
                return .success(try handle(owner, try decode(Payload.self, from: event), event.position.globalPosition))
            } catch {
                return .failure(error)
            }
        }
        return handlers
    }

    /// What `owner` makes of `event`; nothing for a type without a handler.
    public func changes(for event: RecordedEvent, by owner: Owner) throws(ProjectionFailure) -> [RowChange] {
        guard let handler = handlers[event.eventType] else { return [] }
        return try handler(owner, event).get()
    }
}
