import ConsentProjection
import ProjectionContract
import ProjectionCore
import ReadModels
import Testing

/// Each projection's handled types come from its handlers: every type it reads reaches a handler.
@Suite struct EventHandlerTests {
    static let projections: [any Projection] = ReadModels.all

    func event(_ type: String, data: String) -> RecordedEvent {
        RecordedEvent(
            position: LogPosition(transactionID: 1, globalPosition: 1),
            streamID: "test-1",
            streamPosition: 0,
            eventID: "00000000-0000-4000-8000-000000000001",
            eventType: type,
            data: Array(data.utf8),
            metadata: Array(#"{"occurredAt": "2026-01-01T00:00:00Z"}"#.utf8),
            recordedAt: "2026-01-01 00:00:00+00"
        )
    }

    @Test(arguments: projections.map(\.name))
    func everyTypeAProjectionReadsIsDecodedByAHandler(_ name: String) throws {
        let projection = try #require(Self.projections.first { $0.name == name })
        #expect(!projection.eventTypes.isEmpty)
        for type in projection.eventTypes {
            // An empty payload breaks every type's rules: only a handler that decodes it can say so.
            #expect(throws: ProjectionFailure.self, "\(type)") { try projection.changes(for: event(type, data: "{}")) }
        }
    }

    @Test(arguments: projections.map(\.name))
    func aTypeAProjectionDoesNotReadChangesNothing(_ name: String) throws {
        let projection = try #require(Self.projections.first { $0.name == name })
        #expect(try projection.changes(for: event("SomethingNew", data: "{}")).isEmpty)
    }

    @Test func theHandledTypesAreTheHandlersKeys() {
        struct Owner: Sendable {}
        let handlers = EventHandlers<Owner>()
            .on(ConsentGranted.self) { _, _, _ in [] }
            .on(ConsentWithdrawn.self) { _, _, _ in [] }
            .on(PatientRecordsMerged.self) { _, _, _ in [] }
        #expect(handlers.eventTypes == ["ConsentGranted", "ConsentWithdrawn", "PatientRecordsMerged"])
        #expect(ConsentProjection().eventTypes == handlers.eventTypes)
    }
}
