import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// The coalescer's promise (the architecture article, "The pipeline"), on PostgreSQL itself: one coalesced, set-based write leaves
/// exactly the rows that applying every change alone leaves.
@Suite struct TableWriterPropertyTests {
    static let ddl = "(k bigint PRIMARY KEY, a text, b bigint, c text[])"

    func randomValue(_ column: String, _ rng: inout SystemRandomNumberGenerator) -> SQLValue {
        if Int.random(in: 0..<4, using: &rng) == 0 { return .null }
        switch column {
        case "a": return .text(["x", "y", "O'Brien \"q\""].randomElement(using: &rng)!)
        case "b": return .int(Int64.random(in: 0..<3, using: &rng))
        default: return .textArray(["p", "q,r"].shuffled(using: &rng))
        }
    }

    /// Some columns; `b` is sometimes an increment, and a whole row (`wholeRow`) always names it,
    /// as `SQLValue.increment` requires.
    func randomColumns(_ rng: inout SystemRandomNumberGenerator, nonEmpty: Bool, wholeRow: Bool = false) -> Columns {
        var columns: Columns = [:]
        for c in ["a", "b", "c"] where Bool.random(using: &rng) { columns[c] = randomValue(c, &rng) }
        if wholeRow && columns["b"] == nil { columns["b"] = randomValue("b", &rng) }
        if columns["b"] != nil && Bool.random(using: &rng) {
            columns["b"] = .increment(Int64.random(in: -1...2, using: &rng))
        }
        if nonEmpty && columns.isEmpty { columns["b"] = .int(1) }
        return columns
    }

    /// With `writtenKeys` (a new generation), the changes go in a few batches, as a build writes them,
    /// through a filter small enough to answer "maybe written" for some keys it never saw.
    @Test(arguments: [false, true])
    func coalescedWriteEqualsOneChangeAtATime(writtenKeys: Bool) async throws {
        try await TestDatabase.withConnection { conn, _ in
            var rng = SystemRandomNumberGenerator()
            var copied = 0
            for round in 0..<40 {
                let initial = (0..<5).filter { _ in Bool.random(using: &rng) }.map { k -> (Int64, Columns) in
                    (Int64(k), ["a": randomValue("a", &rng), "b": randomValue("b", &rng), "c": randomValue("c", &rng)])
                }
                let changes: [RowChange] = (0..<Int.random(in: 1...15, using: &rng)).map { _ in
                    let key: [SQLValue] = [.int(Int64.random(in: 0..<5, using: &rng))]
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: return .insert("t", key: key, randomColumns(&rng, nonEmpty: false, wholeRow: true))
                    case 1: return .upsert("t", key: key, randomColumns(&rng, nonEmpty: false, wholeRow: true))
                    case 2: return .update("t", key: key, randomColumns(&rng, nonEmpty: true))
                    default: return .delete("t", key: key)
                    }
                }
                // Where the batches of "many" end; one batch without `writtenKeys`.
                var sizes: [Int] = []
                var left = changes.count
                while left > 0 {
                    sizes.append(writtenKeys ? Int.random(in: 1...left, using: &rng) : left)
                    left -= sizes[sizes.count - 1]
                }
                let batchSizes = sizes
                let tables = try await conn.withTransaction { tx in
                    for schema in ["one", "many"] {
                        try tx.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
                        try tx.execute("CREATE SCHEMA \(identifier: schema)")
                        try tx.executeScript("CREATE TABLE \(schema).t \(Self.ddl)")
                    }
                    let spec = TableSpec(name: "t", primaryKey: ["k"])
                    let one = TableWriter(layout: try TableLayout.load(spec, schema: "one", on: tx))
                    let many = TableWriter(
                        layout: try TableLayout.load(spec, schema: "many", on: tx),
                        writtenKeys: writtenKeys ? WrittenKeys(log2Bits: 6) : nil
                    )
                    var seed = Coalescer()
                    for (k, row) in initial { seed.add(.upsert("t", key: [.int(k)], row)) }
                    _ = try one.write(seed.changesByTable().first?.rows ?? [], on: tx)
                    _ = try many.write(seed.changesByTable().first?.rows ?? [], on: tx)
                    for change in changes {
                        var single = Coalescer()
                        single.add(change)
                        _ = try one.write(single.changesByTable()[0].rows, on: tx)
                    }
                    var rest = changes[...]
                    var copiedNow = 0
                    for size in batchSizes {
                        var batch = Coalescer()
                        batch.add(contentsOf: rest.prefix(size))
                        rest = rest.dropFirst(size)
                        copiedNow += try many.write(batch.changesByTable()[0].rows, on: tx).copied
                    }
                    return (["one", "many"], copiedNow)
                }
                copied += tables.1
                let one = try await dump("\(tables.0[0]).t", on: conn)
                let many = try await dump("\(tables.0[1]).t", on: conn)
                #expect(one == many, "round \(round): \(changes)")
            }
            // Known-absent rows took the COPY path, and only then.
            #expect(writtenKeys ? copied > 0 : copied == 0)
        }
    }
}
