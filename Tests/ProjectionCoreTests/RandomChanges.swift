import ProjectionCore

/// A small seeded generator (SplitMix64), so a failing case can be replayed from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random row changes over a few keys and columns: collisions are the point.
enum RandomChanges {
    static let columns = ["a", "b", "c"]

    static func value(_ rng: inout SeededRandom) -> SQLValue {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: .null
        case 1: .int(Int64.random(in: 0..<3, using: &rng))
        case 2: .text(["x", "y", "z"].randomElement(using: &rng)!)
        default: .textArray(["p", "q"].shuffled(using: &rng))
        }
    }

    /// A value for the counter column `n`: NULL, a number or an increment.
    static func counter(_ rng: inout SeededRandom) -> SQLValue {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: .null
        case 1: .int(Int64.random(in: 0..<3, using: &rng))
        default: .increment(Int64.random(in: -1...2, using: &rng))
        }
    }

    /// Some columns; a whole row (`wholeRow`) always names the counter, as `SQLValue.increment` requires.
    static func columnsSubset(_ rng: inout SeededRandom, nonEmpty: Bool, wholeRow: Bool = false) -> Columns {
        var result: Columns = [:]
        for column in columns where Bool.random(using: &rng) { result[column] = value(&rng) }
        if wholeRow || Bool.random(using: &rng) { result["n"] = counter(&rng) }
        if nonEmpty && result.isEmpty { result["a"] = value(&rng) }
        return result
    }

    static func change(_ rng: inout SeededRandom, keys: Int) -> RowChange {
        let key: [SQLValue] = [.int(Int64.random(in: 0..<Int64(keys), using: &rng))]
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return .insert("t", key: key, columnsSubset(&rng, nonEmpty: false, wholeRow: true))
        case 1: return .upsert("t", key: key, columnsSubset(&rng, nonEmpty: false, wholeRow: true))
        case 2: return .update("t", key: key, columnsSubset(&rng, nonEmpty: true))
        default: return .delete("t", key: key)
        }
    }

    static func initialRows(_ rng: inout SeededRandom, keys: Int) -> [[SQLValue]: Columns] {
        var rows: [[SQLValue]: Columns] = [:]
        for k in 0..<keys where Bool.random(using: &rng) {
            var row: Columns = [:]
            for column in columns { row[column] = value(&rng) }
            row["n"] = Bool.random(using: &rng) ? .null : .int(Int64.random(in: 0..<3, using: &rng))
            rows[[.int(Int64(k))]] = row
        }
        return rows
    }
}
