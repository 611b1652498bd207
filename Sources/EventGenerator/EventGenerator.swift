/// A lazy, deterministic sequence of synthetic events for ``GeneratorOptions/patients`` patients (the event contract).
///
/// Patients come one after another, each story in the order it happened: `PatientRegistered` first, then
/// appointments, tests and results, consents, journal entries and detail changes. Only one patient's events are
/// held at a time, so memory stays flat however many events are drawn. The same options give byte-identical
/// ``GeneratedEvent/ndjsonLine`` output on every run; nothing reads the clock (the story's "now" is 2026-11-01).
///
/// Every twentieth patient, the first included, is a showcase whose story holds every event type, so even a
/// one-patient run exercises the whole contract.
public struct EventGenerator: Sequence, Sendable {
    /// The options this generator was made with.
    public let options: GeneratorOptions

    /// Creates a generator; nothing is generated until it is iterated.
    public init(_ options: GeneratorOptions) {
        self.options = options
    }

    /// The mean number of events per patient, measured over 200 000 patients of seed 1, for turning "N events" into
    /// a patient count: `Int((Double(n) / EventGenerator.averageEventsPerPatient).rounded(.up))`.
    public static var averageEventsPerPatient: Double {
        32.31
    }

    /// Starts generating from the first patient.
    public func makeIterator() -> Iterator {
        Iterator(options: options)
    }

    /// Produces the events patient by patient.
    public struct Iterator: IteratorProtocol {
        private let options: GeneratorOptions
        private let plan: InvalidEventPlan
        private var numbers: NHSNumberAllocator
        private var writer = JSONWriter()
        private var nextPatient = 0
        private var pending: [GeneratedEvent] = []
        private var position = 0

        /// Creates an iterator positioned before the first patient.
        init(options: GeneratorOptions) {
            self.options = options
            plan = InvalidEventPlan(seed: options.seed, fraction: options.invalidFraction)
            numbers = NHSNumberAllocator(seed: options.seed)
        }

        /// The next event, or `nil` after the last patient's last event.
        public mutating func next() -> GeneratedEvent? {
            while position == pending.count {
                guard nextPatient < options.patients else { return nil }
                let nhsNumber = numbers.next()
                let duplicate = PatientStory.hasDuplicateRecord(nextPatient, seed: options.seed) ? numbers.next() : nil
                var story = PatientStory(
                    index: nextPatient,
                    nhsNumber: nhsNumber,
                    duplicateNumber: duplicate,
                    seed: options.seed,
                    plan: plan,
                    writer: writer
                )
                // Move the writer out of the iterator for the story's lifetime so that writing does not copy its buffer.
                writer = JSONWriter()
                pending = story.tell()
                writer = story.writer
                position = 0
                nextPatient += 1
            }
            defer { position += 1 }
            return pending[position]
        }
    }
}
