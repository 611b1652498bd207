import ProjectionCore
import Testing

/// A table in memory with the semantics the engine's SQL gives each kind of change.
struct MemoryTable: Equatable {
    var rows: [[SQLValue]: Columns]

    /// Missing columns read as NULL, as they would in PostgreSQL.
    static func complete(_ row: Columns) -> Columns {
        var full = row
        for column in RandomChanges.columns + ["n"] where full[column] == nil { full[column] = .null }
        return full
    }

    /// `columns` written over `row` as SQL would: `n = n + delta` for an increment, NULL staying NULL.
    static func write(_ columns: Columns, over row: Columns) -> Columns {
        var result = row
        for (column, value) in columns {
            guard case .increment(let delta) = value else {
                result[column] = value
                continue
            }
            if case .int(let current)? = row[column] {
                result[column] = .int(current + delta)
            } else {
                result[column] = row[column] == nil ? .int(delta) : .null
            }
        }
        return result
    }

    mutating func apply(_ change: RowChange) {
        let key = change.key
        switch change.kind {
        case .insert(let columns):
            if rows[key] == nil { rows[key] = Self.complete(Self.write(columns, over: [:])) }
        case .upsert(let columns):
            rows[key] = Self.complete(Self.write(columns, over: rows[key] ?? [:]))
        case .update(let columns):
            if let row = rows[key] { rows[key] = Self.write(columns, over: row) }
        case .delete:
            rows[key] = nil
        case .requireExisting:
            break
        }
    }

    /// DELETE, then UPDATE, then INSERT … ON CONFLICT DO NOTHING, as the batch writer runs them.
    mutating func apply(coalesced: [(key: [SQLValue], change: CoalescedChange)]) {
        for (key, change) in coalesced {
            switch change {
            case .delete, .replace: rows[key] = nil
            case .merge: break
            }
        }
        for (key, change) in coalesced {
            if case .merge(_, let set) = change, !set.isEmpty, let row = rows[key] {
                rows[key] = Self.write(set, over: row)
            }
        }
        for (key, change) in coalesced {
            switch change {
            case .replace(let columns): rows[key] = Self.complete(columns)
            case .merge(let insert?, _) where rows[key] == nil: rows[key] = Self.complete(insert)
            default: break
            }
        }
    }
}

@Suite struct CoalescerTests {
    @Test(arguments: 0..<500)
    func coalescedChangesLeaveTheSameRowsAsApplyingThemOneByOne(seed: UInt64) {
        var rng = SeededRandom(state: seed)
        let keys = Int.random(in: 1...4, using: &rng)
        let initial = MemoryTable(rows: RandomChanges.initialRows(&rng, keys: keys))
        let changes = (0..<Int.random(in: 1...12, using: &rng)).map { _ in RandomChanges.change(&rng, keys: keys) }

        var oneByOne = initial
        for change in changes { oneByOne.apply(change) }

        var coalescer = Coalescer()
        coalescer.add(contentsOf: changes)
        var batched = initial
        batched.apply(coalesced: coalescer.changesByTable().first?.rows ?? [])

        #expect(batched == oneByOne, "seed \(seed): \(changes)")
    }

    @Test func oneEffectPerRowInFirstTouchedOrder() {
        var coalescer = Coalescer()
        coalescer.add(.upsert("t", key: [2], ["a": "x"]))
        coalescer.add(.update("t", key: [1], ["a": "y"]))
        coalescer.add(.update("t", key: [2], ["b": 1]))
        coalescer.add(.insert("u", key: [1], [:]))
        let tables = coalescer.changesByTable()
        #expect(tables.map(\.table) == ["t", "u"])
        #expect(tables[0].rows.map(\.key) == [[2], [1]])
        #expect(tables[0].rows[0].change == .merge(insert: ["a": "x", "b": 1], set: ["a": "x", "b": 1]))
        #expect(coalescer.count == 3)
    }

    @Test func deleteThenInsertReplacesTheRow() {
        var coalescer = Coalescer()
        coalescer.add(.update("t", key: [1], ["a": "old"]))
        coalescer.add(.delete("t", key: [1]))
        coalescer.add(.insert("t", key: [1], ["b": 2]))
        coalescer.add(.insert("t", key: [1], ["b": 3]))
        #expect(coalescer.changesByTable()[0].rows[0].change == .replace(["b": 2]))
    }

    @Test func incrementsAccumulateUntilAValueIsKnown() {
        var coalescer = Coalescer()
        coalescer.add(.update("t", key: [1], ["n": .increment(1)]))
        coalescer.add(.update("t", key: [1], ["n": .increment(2)]))
        coalescer.add(.insert("t", key: [2], ["n": 0]))
        coalescer.add(.update("t", key: [2], ["n": .increment(1)]))
        coalescer.add(.delete("t", key: [3]))
        coalescer.add(.upsert("t", key: [3], ["n": .increment(5)]))
        let rows = coalescer.changesByTable()[0].rows
        #expect(rows[0].change == .merge(insert: nil, set: ["n": .increment(3)]))
        #expect(rows[1].change == .merge(insert: ["n": 1], set: ["n": .increment(1)]), "an existing row counts on")
        #expect(rows[2].change == .replace(["n": 5]))
    }

    @Test func existenceFollowsTheChangesOfTheBatch() {
        var coalescer = Coalescer()
        coalescer.add(.update("t", key: [1], ["a": "x"]))
        coalescer.add(.insert("t", key: [2], [:]))
        coalescer.add(.delete("t", key: [3]))
        coalescer.add(.require("t", key: [4], because: "needed"))
        #expect(coalescer.existence(of: "t", key: [1]) == .asBefore)
        #expect(coalescer.existence(of: "t", key: [2]) == .exists)
        #expect(coalescer.existence(of: "t", key: [3]) == .absent)
        #expect(coalescer.existence(of: "t", key: [4]) == .asBefore)
        #expect(coalescer.count == 3, "a requirement changes no row")
    }

    @Test func textArraysEscapeQuotesAndBackslashes() {
        #expect(SQLValue.textArray(["a", "b\"c", "d\\e"]).sqlText == #"{"a","b\"c","d\\e"}"#)
        #expect(SQLValue.null.sqlText == nil)
        #expect(SQLValue.bool(true).sqlText == "t")
    }
}
