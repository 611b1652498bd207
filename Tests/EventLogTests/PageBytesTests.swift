import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

/// Pages bounded by bytes as well as by count: memory follows the bytes of the events read, not their
/// number, and a page cut short by bytes never makes a reader skip an event.
@Suite struct PageBytesTests {
    /// A payload of about `bytes` bytes of text: incompressible (hex of random bytes), or one character
    /// repeated, which PostgreSQL stores compressed at a small fraction of its text's size.
    func payload(_ n: Int, bytes: Int, compressible: Bool) -> String {
        let text =
            compressible
            ? String(repeating: "x", count: bytes)
            : (0..<(bytes / 2)).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "{\"n\": \(n), \"text\": \"\(text)\"}"
    }

    func append(_ count: Int, bytes: Int, compressible: Bool, on conn: Connection) async throws {
        try await LogWriter(connection: conn).appendMany(
            (1...count).map {
                event("journal-\($0)", id: uuid($0), data: payload($0, bytes: bytes, compressible: compressible))
            }
        )
    }

    @Test(arguments: [false, true])
    func aPageHoldsNoMoreBytesThanItsBoundButAlwaysOneEvent(compressible: Bool) async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await append(6, bytes: 100_000, compressible: compressible, on: conn)
            if compressible {
                // The case the bound's second step is for: stored far smaller than its text.
                let stored = try await conn.query(
                    "SELECT pg_column_size(data), octet_length(data::text) FROM eventlog.events LIMIT 1"
                ).rows[0]
                #expect(try stored.decode(Int.self, at: 0) * 10 < stored.decode(Int.self, at: 1))
            }
            let reader = LogReader(connection: conn)
            var page = try await reader.read(after: .start, limit: 100, maxBytes: 250_000)
            // Other tests' transactions may hold the reader back for a moment.
            let deadline = ContinuousClock.now + .seconds(30)
            while page.events.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                page = try await reader.read(after: .start, limit: 100, maxBytes: 250_000)
            }
            // Values taken out first: a failed expectation prints what it names, and a page is megabytes.
            let (count, full, endsAtLast) = (page.events.count, page.isFull, page.end == page.events.last?.position)
            #expect(count == 2, "two events of 100 KB fit in 250 KB; a third does not")
            #expect(full, "more events follow at once")
            #expect(endsAtLast)
            let one = try await reader.read(after: .start, limit: 100, maxBytes: 1)
            let (alone, oneIsFull) = (one.events.count, one.isFull)
            #expect(alone == 1, "an event larger than the bound is read alone")
            #expect(oneIsFull)
        }
    }

    @Test func pagesCutByBytesReadEveryEventOnceInOrder() async throws {
        try await TestDatabase.withConnection { conn, _ in
            // Large and small events interleaved, some compressible.
            try await LogWriter(connection: conn).appendMany(
                (1...40).map { n in
                    let bytes = n % 5 == 0 ? 60_000 : 300
                    return event(
                        "journal-\(n % 7)",
                        id: uuid(n),
                        data: payload(n, bytes: bytes, compressible: n % 2 == 0)
                    )
                }
            )
            let reader = LogReader(connection: conn)
            var position = LogPosition.start
            var read: [Int64] = []
            var pages = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while read.count < 40 && ContinuousClock.now < deadline {
                let page = try await reader.read(after: position, limit: 10, maxBytes: 100_000)
                read += page.events.map(\.position.globalPosition)
                position = page.end
                if !page.events.isEmpty { pages += 1 }
                if !page.isFull { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(read == Array(1...40))
            #expect(pages > 4, "the bytes, not only the count of 10, cut pages")
        }
    }
}
