import EventGenerator
import Testing

/// `invalidFraction` damages a share of events in ways a projection must dead-letter.
@Suite("Invalid events")
struct InvalidEventTests {
    @Test func zeroFractionMakesEveryEventValid() {
        let events = parsedEvents(GeneratorOptions(patients: 100, seed: 3))
        #expect(events.allSatisfy { ContractChecker.problems(of: $0).isEmpty })
    }

    @Test func tenPercentFractionMakesAboutTenPercentInvalid() {
        let events = parsedEvents(GeneratorOptions(patients: 200, seed: 3, invalidFraction: 0.1))
        let candidates = events.filter { $0.type != "PatientRegistered" }
        let invalid = candidates.filter { !ContractChecker.problems(of: $0).isEmpty }
        let share = Double(invalid.count) / Double(candidates.count)
        #expect((0.08...0.12).contains(share), "invalid share \(share)")
        #expect(
            events.filter { $0.type == "PatientRegistered" }.allSatisfy { ContractChecker.problems(of: $0).isEmpty }
        )
    }

    @Test func everyKindOfDefectOccursAndEachInvalidEventHasExactlyOne() {
        let events = parsedEvents(GeneratorOptions(patients: 200, seed: 4, invalidFraction: 0.1))
        var kinds: Set<String> = []
        for event in events {
            let problems = ContractChecker.problems(of: event)
            guard !problems.isEmpty else { continue }
            #expect(problems.count == 1, "\(problems)")
            let problem = problems[0]
            if problem == "nhsNumber check digit" {
                kinds.insert("check digit")
            } else if problem.hasPrefix("missing ") {
                kinds.insert("missing field")
            } else if problem.hasSuffix("is not a timestamp with offset") {
                kinds.insert("timestamp without offset")
            } else {
                Issue.record("unexpected defect \(problem)")
            }
        }
        #expect(kinds == ["check digit", "missing field", "timestamp without offset"])
    }
}
