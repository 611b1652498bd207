import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// The poison-pill breaker's statements keep in `projector.breakers` what `BreakerRecord` decides on: here,
/// that a death after the replay recorded the event's code as returned counts as a death while writing.
@Suite struct BreakerStatementsTests {
    @Test func aDeathAfterTheEventWasPlannedIsCountedAsADeathWhileWriting() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let consumer = "breaker_test_\(UInt32.random(in: 0...UInt32.max))"
            let checkpoint = LogPosition(transactionID: 10, globalPosition: 7)
            let until = LogPosition(transactionID: 10, globalPosition: 20)
            func start() async throws -> BreakerDecision {
                try await Breaker.start(consumer, holder: UUID(), at: checkpoint, on: conn)
            }
            func counts() async throws -> (strikes: Int, writeDeaths: Int) {
                let row = try await conn.query(
                    "SELECT strikes, write_deaths FROM projector.breakers WHERE consumer = \(consumer)"
                ).rows[0]
                return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
            }
            #expect(try await start() == .proceed)
            #expect(try await start() == .cautious, "the first holder died")
            #expect(try await start() == .careful(until: nil), "the second died at the same checkpoint")
            let pass = BreakerRecord.Pass(after: checkpoint, limit: 1, until: until)
            for death in 1...2 {
                try await Breaker.mark(consumer, pass, on: conn)
                try await Breaker.planned(consumer, on: conn)
                #expect(try await start() == .careful(until: until), "death \(death) while writing")
                let (strikes, writeDeaths) = try await counts()
                #expect(strikes == 0 && writeDeaths == death)
            }
            // Marked again and killed before its code returned: a strike, the first.
            try await Breaker.mark(consumer, pass, on: conn)
            #expect(try await start() == .careful(until: until))
            #expect(try await counts() == (1, 2))
            // A third death while writing.
            try await Breaker.mark(consumer, pass, on: conn)
            try await Breaker.planned(consumer, on: conn)
            #expect(try await start() == .quarantine(thenCarefulUntil: until))
            try await conn.execute("DELETE FROM projector.breakers WHERE consumer = \(consumer)")
        }
    }
}
