import FuzzTargets
import Testing

/// Every committed corpus input passes its target's oracle, without libFuzzer: the findings of earlier
/// fuzzing runs stay fixed in every test run.
@Suite struct CorpusReplayTests {
    @Test(arguments: FuzzTarget.allCases)
    func everyCommittedInputAgreesWithItsReference(target: FuzzTarget) throws {
        let inputs = try Corpus.inputs(of: target)
        #expect(inputs.count >= 10, "the corpus of \(target.rawValue) has its seeds")
        for input in inputs {
            let problems = target.run(input.bytes)
            #expect(problems.isEmpty, "\(target.rawValue)/\(input.name): \(problems)")
        }
    }
}
