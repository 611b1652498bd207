import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

/// Reads from `start` until `count` events are seen or 30 s pass.
///
/// The watermark is cluster-wide: a transaction open in any database (another test's) holds every
/// reader back for a moment, so a page that is not full does not mean "caught up".
func readAll(
    _ reader: LogReader,
    from start: LogPosition = .start,
    types: Set<String>? = nil,
    expecting count: Int,
    pageSize: Int = 10
) async throws -> (events: [RecordedEvent], end: LogPosition, pages: Int) {
    var position = start
    var events: [RecordedEvent] = []
    var pages = 0
    let deadline = ContinuousClock.now + .seconds(30)
    while events.count < count && ContinuousClock.now < deadline {
        let page = try await reader.read(after: position, types: types, limit: pageSize)
        events += page.events
        position = page.end
        if !page.events.isEmpty { pages += 1 }
        if !page.isFull { try await Task.sleep(for: .milliseconds(5)) }
    }
    return (events, position, pages)
}

@Suite struct ReadTests {
    @Test func readsReturnEventsInOrderInPages() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            try await writer.appendMany(
                (1...25).map { event("journal-\($0 % 3)", id: uuid($0), data: "{\"n\": \($0)}") }
            )
            let reader = LogReader(connection: conn)
            let read = try await readAll(reader, expecting: 25)
            #expect(read.events.map(\.position.globalPosition) == Array(1...25))
            #expect(read.pages == 3)
            let first = try #require(read.events.first)
            #expect(first.eventType == "JournalEntryAdded")
            #expect(String(decoding: first.data, as: UTF8.self) == #"{"n": 1}"#)
            #expect(first.eventID == uuid(1))
        }
    }

    @Test func aTypeFilterStillMovesTheEndPastOtherEvents() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            try await writer.appendMany([
                event("journal-1", "JournalEntryAdded", id: uuid(1)),
                event("consent-1", "ConsentGranted", id: uuid(2)),
                event("consent-1", "ConsentGranted", id: uuid(3)),
            ])
            let reader = LogReader(connection: conn)
            let read = try await readAll(reader, types: ["JournalEntryAdded"], expecting: 1)
            #expect(read.events.map(\.eventType) == ["JournalEntryAdded"])
            // Once the watermark passes the three events, the end moves past the two of other types.
            var end = read.end
            let deadline = ContinuousClock.now + .seconds(30)
            while end.globalPosition < 3 && ContinuousClock.now < deadline {
                let page = try await reader.read(after: end, types: ["JournalEntryAdded"], limit: 10)
                #expect(page.events.isEmpty)
                end = page.end
            }
            #expect(end.globalPosition == 3)
        }
    }

    /// Writer A takes a position and holds its transaction open while writer B appends and commits.
    @Test func readerNeverReturnsAnEventBehindAnOpenTransaction() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let slow = try await Connection.connect(to: url)
            let fast = LogWriter(connection: try await Connection.connect(to: url))
            let reader = LogReader(connection: try await Connection.connect(to: url))

            try await slow.execute("BEGIN")
            try await LogWriter(connection: slow).appendMany([event("journal-a", id: uuid(1))])
            try await fast.appendMany([event("journal-b", id: uuid(2))])

            // B has committed with a higher position, but A is still open: nothing may be returned,
            // or a checkpoint after B would skip A for ever.
            let during = try await reader.read(after: .start, limit: 10)
            #expect(during.events.isEmpty)

            try await slow.execute("COMMIT")
            let after = try await readAll(reader, from: during.end, expecting: 2)
            #expect(after.events.map(\.eventID) == [uuid(1), uuid(2)])
        }
    }

    @Test func concurrentSlowWritersNeverMakeAReaderSkip() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let total = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<4 {
                    group.addTask {
                        let conn = try await Connection.connect(to: url)
                        let writer = LogWriter(connection: conn)
                        for i in 0..<(total / 4) {
                            // Hold some transactions open across other writers' commits.
                            try await conn.execute("BEGIN")
                            try await writer.appendMany([event("journal-\(w)", id: uuid(w * 1000 + i))])
                            if i % 5 == 0 { try await Task.sleep(for: .milliseconds(3)) }
                            try await conn.execute("COMMIT")
                        }
                    }
                }
                group.addTask {
                    let reader = LogReader(connection: try await Connection.connect(to: url))
                    var position = LogPosition.start
                    var ids = Set<String>()
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ids.count < total && ContinuousClock.now < deadline {
                        let page = try await reader.read(after: position, limit: 7)
                        for e in page.events { ids.insert(e.eventID) }
                        position = page.end
                    }
                    #expect(ids.count == total)
                }
                try await group.waitForAll()
            }
        }
    }
}
