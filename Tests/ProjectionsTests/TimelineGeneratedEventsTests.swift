import EventGenerator
import ProjectionCore
import Testing
import TimelineProjection

/// The timeline over the synthetic events of `EventGenerator`.
@Suite("Timeline: generated events")
struct TimelineGeneratedEventsTests {
    private let timeline = TimelineProjection()

    /// The generated events as the event log would hand them to a projection, in log order.
    static func recordedEvents(_ options: GeneratorOptions) -> [(event: RecordedEvent, generated: GeneratedEvent)] {
        EventGenerator(options).enumerated().map { index, generated in
            let position = Int64(index + 1)
            let event = RecordedEvent(
                position: LogPosition(transactionID: UInt64(position), globalPosition: position),
                streamID: generated.stream,
                streamPosition: 0,
                eventID: generated.eventID,
                eventType: generated.type,
                data: Array(generated.data.utf8),
                metadata: Array(generated.metadata.utf8),
                recordedAt: "2026-11-01 00:00:00+00"
            )
            return (event, generated)
        }
    }

    @Test func everyValidGeneratedEventProjectsWithoutFailure() throws {
        var table = InMemoryTable()
        var handled = 0
        for (event, _) in Self.recordedEvents(GeneratorOptions(patients: 50, seed: 1)) {
            guard timeline.eventTypes.contains(event.eventType) else { continue }
            do {
                table.apply(try timeline.changes(for: event))
                handled += 1
            } catch {
                Issue.record("position \(event.position.globalPosition), \(event.eventType): \(error.reason)")
            }
        }
        #expect(handled > 500)
        #expect(table.rows.values.contains { $0["kind"] == "registration" })
        #expect(table.rows.values.contains { $0["kind"] == "appointment" })
        #expect(table.rows.values.contains { $0["kind"] == "result" })
        #expect(table.rows.values.contains { $0["kind"] == "journal" })
    }

    @Test func deliberatelyBrokenEventsFailWithReasonsThatLeakNoNHSNumber() throws {
        var failures = 0
        for (event, generated) in Self.recordedEvents(GeneratorOptions(patients: 50, seed: 7, invalidFraction: 0.2)) {
            guard timeline.eventTypes.contains(event.eventType) else { continue }
            do {
                _ = try timeline.changes(for: event)
            } catch {
                failures += 1
                #expect(error.category == .invalidPayload)
                #expect(error.reason.hasPrefix("data.") || error.reason.hasPrefix("metadata."), "\(error.reason)")
                for number in Self.digitRuns(in: generated.data + generated.stream, length: 10) {
                    #expect(!error.reason.contains(number))
                }
            }
        }
        #expect(failures > 0)
    }

    /// Every run of exactly `length` ASCII digits in `text`: the NHS numbers an event carries.
    static func digitRuns(in text: String, length: Int) -> Set<String> {
        var runs: Set<String> = []
        var current = ""
        for character in text + " " {
            if character.isASCII && character.isNumber {
                current.append(character)
            } else {
                if current.count == length { runs.insert(current) }
                current = ""
            }
        }
        return runs
    }
}
