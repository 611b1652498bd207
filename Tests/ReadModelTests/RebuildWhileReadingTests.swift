import EventGenerator
import Postgres
import PostgresTestSupport
import ProjectionEngine
import Testing
import TimelineProjection

/// The patient API keeps answering, completely, while ops rebuild the timeline and swap it in.
@Suite struct RebuildWhileReadingTests {
    @Test func theTimelinePageQueryAnswersInFullThroughoutARebuildAndItsSwap() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 60, seed: 3), on: conn)
            try await runUntilCaughtUp(TimelineProjection(), url: url)
            let nhs = try await conn.query(
                "SELECT nhs_number FROM timeline.entries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).rows[0].decode(String.self, at: 0)
            let sql = try apiQuery("timeline_page")
            let binds = [
                PostgresBind(nhs), PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0),
                PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0),
                PostgresBind(20),
            ]
            func page(on conn: Connection) async throws -> [String] {
                try await conn.query(Query(unsafeSQL: sql, binds: binds)).rows.map { row in
                    row.values.map { $0 ?? "NULL" }.joined(separator: "|")
                }
            }
            let expected = try await page(on: conn)
            #expect(expected.count == 20)

            var configuration = RunnerConfiguration()
            configuration.batchSize = 100
            let rebuild = Rebuild(
                projection: TimelineProjection(),
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            let (answers, errors, tables) = try await asMember(of: "projector_api", url: url, on: conn) { api in
                try await withThrowingTaskGroup(of: ([[String]], Int, Set<Int64>)?.self) { group in
                    group.addTask {
                        var answers: [[String]] = []
                        var errors = 0
                        var tables: Set<Int64> = []
                        while !Task.isCancelled {
                            do {
                                answers.append(try await page(on: api))
                                tables.insert(
                                    try await api.query("SELECT 'timeline.entries'::regclass::oid::int8").rows[0]
                                        .decode(Int64.self, at: 0)
                                )
                            } catch {
                                errors += 1
                            }
                        }
                        return (answers, errors, tables)
                    }
                    group.addTask {
                        guard case .swapped = try await rebuild.run() else {
                            Issue.record("the rebuild did not swap")
                            return nil
                        }
                        try await Task.sleep(for: .milliseconds(200))
                        return nil
                    }
                    var result: ([[String]], Int, Set<Int64>) = ([], 0, [])
                    for try await value in group {
                        if let value { result = value } else { group.cancelAll() }
                    }
                    return result
                }
            }
            #expect(errors == 0)
            #expect(answers.count > 10)
            #expect(answers.allSatisfy { $0 == expected })
            // The loop read the old generation's table and then the new one's.
            #expect(tables.count == 2)
        }
    }
}
