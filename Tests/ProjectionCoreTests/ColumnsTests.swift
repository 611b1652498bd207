import ProjectionCore
import Testing

/// `Columns` reads like the dictionary projections wrote before it, and keeps its names sorted.
@Suite struct ColumnsTests {
    @Test func aLiteralListsItsColumnsByName() {
        let columns: Columns = ["status": "booked", "ends_at": .null, "attended": false]
        #expect(columns.keys == ["attended", "ends_at", "status"])
        #expect(columns.values == [.bool(false), .null, .text("booked")])
        #expect(columns == ["ends_at": .null, "attended": false, "status": "booked"])
    }

    @Test func anAbsentColumnIsNilAndANullColumnIsPresent() {
        var columns: Columns = ["ends_at": .null]
        #expect(columns["ends_at"] == .some(.null))
        #expect(columns["status"] == Optional.none)
        columns["status"] = "booked"
        columns["a"] = .int(1)
        #expect(columns.keys == ["a", "ends_at", "status"])
        columns["ends_at"] = Optional.none
        #expect(columns.keys == ["a", "status"])
        columns["status"] = "cancelled"
        #expect(columns["status"] == "cancelled")
        #expect(columns.count == 2)
    }

    @Test func mergingKeepsEveryNameOnceAndLetsTheCombinerChoose() {
        let mine: Columns = ["a": 1, "c": 3, "e": 5]
        let theirs: Columns = ["b": 20, "c": 30, "f": 60]
        #expect(mine.merging(theirs) { $1 } == ["a": 1, "b": 20, "c": 30, "e": 5, "f": 60])
        #expect(mine.merging(theirs) { old, _ in old } == ["a": 1, "b": 20, "c": 3, "e": 5, "f": 60])
        var merged = mine
        merged.merge([:]) { $1 }
        #expect(merged == mine)
    }

    @Test func iterationYieldsNameValuePairsInNameOrder() {
        let columns: Columns = ["z": 1, "m": 2, "a": 3]
        #expect(columns.map(\.key) == ["a", "m", "z"])
        #expect(columns.map(\.value) == [3, 2, 1])
    }
}
