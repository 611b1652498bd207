import ProjectionCore
import Testing

@Suite struct DecodeCacheTests {
    func event() -> RecordedEvent {
        RecordedEvent(
            position: LogPosition(transactionID: 1, globalPosition: 1),
            streamID: "note-1",
            streamPosition: 0,
            eventID: "00000000-0000-4000-8000-000000000001",
            eventType: "NoteAdded",
            data: Array(#"{"id": "1"}"#.utf8),
            metadata: Array("{}".utf8),
            recordedAt: "2026-01-01 00:00:00+00"
        )
    }

    @Test func theSecondDecodingOfAnEventAsTheSameTypeIsTheFirstOnesResult() {
        let event = event()
        var parses = 0
        let first = event.decoded.value(for: Int.self) {
            parses += 1
            return 42
        }
        let second = event.decoded.value(for: Int.self) {
            parses += 1
            return 7
        }
        #expect(first == 42 && second == 42 && parses == 1)
        // Another type is decoded anew.
        #expect(event.decoded.value(for: String.self) { "text" } == "text")
    }

    @Test func aCopyWithAnotherPayloadDoesNotShareWhatTheOriginalDecoded() {
        let original = event()
        _ = original.decoded.value(for: Int.self) { 42 }
        var changed = original
        changed.data = Array(#"{"id": "2"}"#.utf8)
        #expect(changed.decoded.value(for: Int.self) { 7 } == 7)
        var sameData = original
        sameData.streamPosition = 3
        #expect(sameData.decoded.value(for: Int.self) { 7 } == 42)
    }
}
