import EventGenerator
import Testing

@Suite("Determinism")
struct DeterminismTests {
    private func lines(_ options: GeneratorOptions) -> [String] {
        EventGenerator(options).map(\.ndjsonLine)
    }

    @Test func sameSeedGivesByteIdenticalOutput() {
        let options = GeneratorOptions(patients: 40, seed: 42)
        #expect(lines(options) == lines(options))
    }

    @Test func iteratingOneGeneratorTwiceGivesTheSameEvents() {
        let generator = EventGenerator(GeneratorOptions(patients: 10, seed: 7))
        #expect(Array(generator) == Array(generator))
    }

    @Test func differentSeedsGiveDifferentOutput() {
        let first = lines(GeneratorOptions(patients: 20, seed: 1))
        let second = lines(GeneratorOptions(patients: 20, seed: 2))
        #expect(first != second)
        #expect(Set(first).isDisjoint(with: second))
    }

    @Test func aLargerRunBeginsWithTheSmallerRun() {
        let small = lines(GeneratorOptions(patients: 5, seed: 3))
        let large = lines(GeneratorOptions(patients: 12, seed: 3))
        #expect(Array(large.prefix(small.count)) == small)
    }

    @Test func invalidEventsKeepTheirPlaceIDAndStream() throws {
        let valid = Array(EventGenerator(GeneratorOptions(patients: 40, seed: 9)))
        let damaged = Array(EventGenerator(GeneratorOptions(patients: 40, seed: 9, invalidFraction: 0.2)))
        try #require(valid.count == damaged.count)
        let changed = zip(valid, damaged).filter { $0 != $1 }
        #expect(!changed.isEmpty)
        for (before, after) in changed {
            #expect(before.eventID == after.eventID)
            #expect(before.stream == after.stream)
            #expect(before.type == after.type)
            #expect(before.metadata == after.metadata)
            #expect(before.data != after.data)
        }
    }

    @Test func generationIsLazy() {
        // Ten million patients would take minutes to produce eagerly; the first events must come at once.
        let first = Array(EventGenerator(GeneratorOptions(patients: 10_000_000)).prefix(5))
        #expect(first.count == 5)
        #expect(first[0].type == "PatientRegistered")
    }

    @Test func noPatientsGiveNoEvents() {
        #expect(Array(EventGenerator(GeneratorOptions(patients: 0))).isEmpty)
    }
}
