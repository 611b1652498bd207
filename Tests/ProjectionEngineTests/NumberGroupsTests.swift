import Testing

@testable import ProjectionEngine

/// The merge groups a shared rebuild keeps in one partition.
@Suite struct NumberGroupsTests {
    @Test func numbersJoinedThroughAnyChainShareTheirSmallestNumberWhateverTheOrder() {
        let joins = [("9000000003", "9000000002"), ("9000000005", "9000000004"), ("9000000002", "9000000001")]
        for order in [joins, joins.reversed(), [joins[2], joins[0], joins[1]]] {
            var groups = NumberGroups()
            for (a, b) in order { groups.join(a, b) }
            #expect(
                groups.representatives() == [
                    "9000000001": "9000000001", "9000000002": "9000000001", "9000000003": "9000000001",
                    "9000000004": "9000000004", "9000000005": "9000000004",
                ]
            )
        }
    }

    @Test func aCycleOrARepeatedMergeJoinsNothingNew() {
        var groups = NumberGroups()
        groups.join("b", "a")
        groups.join("a", "b")
        groups.join("a", "a")
        #expect(groups.representatives() == ["a": "a", "b": "a"])
    }
}
