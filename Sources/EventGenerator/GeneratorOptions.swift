/// What to generate: how many patients, from which seed, and what share of events to make invalid.
public struct GeneratorOptions: Sendable {
    /// How many patients to generate; each contributes about ``EventGenerator/averageEventsPerPatient`` events.
    ///
    /// - Important: At most about 90 million, the count of NHS numbers the generator can hand out.
    public var patients: Int
    /// The seed: equal options give byte-identical output. Defaults to 1.
    public var seed: UInt64
    /// The share (0…1) of events other than `PatientRegistered` made invalid so that a projection must
    /// dead-letter them: a wrong NHS check digit, a missing required field, or a timestamp without offset.
    /// Defaults to 0, every event valid.
    public var invalidFraction: Double

    /// Creates options; `patients` must not be negative and `invalidFraction` must lie in 0…1.
    public init(patients: Int, seed: UInt64 = 1, invalidFraction: Double = 0) {
        precondition(patients >= 0, "GeneratorOptions: patients must not be negative")
        precondition((0...1).contains(invalidFraction), "GeneratorOptions: invalidFraction must lie in 0...1")
        self.patients = patients
        self.seed = seed
        self.invalidFraction = invalidFraction
    }
}
