/// One synthetic patient's life in the record: registration, appointments, tests, consents and journal entries.
///
/// A story draws everything from its own random stream (seed and patient index), so patients are independent of
/// each other. Events are created domain by domain, then ordered by when they happened; within a stream every
/// event happens strictly after the one before it, so that order is also causal.
struct PatientStory {
    /// An event with the instant it happened and the order it was created in, for a stable sort.
    private struct Entry {
        let time: Int64
        let ordinal: Int
        let event: GeneratedEvent
    }

    /// The patient's 0-based position in the generated sequence.
    let index: Int
    /// The patient's valid NHS number; the duplicate record's while its events are told.
    var nhsNumber: String
    /// A second number the patient was also registered under, merged into `nhsNumber` during the story.
    let duplicateNumber: String?
    /// When the patient registered; every other event of the story happens after it.
    let registeredAt: Int64
    /// The patient's GP practice at registration.
    let practice: GPPractice
    /// `en` or `cy`.
    let preferredLanguage: String
    /// The patient's random stream.
    var random: RandomSource
    /// The writer payloads are written with, reused across events and patients.
    var writer: JSONWriter

    private let plan: InvalidEventPlan
    private var entries: [Entry] = []
    /// The event types this story must still show; all of them for a showcase patient, none for the others.
    private var owed: Set<EventType>
    private var pendingSchemaVersion = 1

    /// Whether this is a showcase patient, whose story holds every event type (see ``isShowcase(_:)``).
    var isShowcase: Bool {
        Self.isShowcase(index)
    }

    /// Every twentieth patient, starting with the first, is a showcase: any run of at least one patient then
    /// holds every event type, whatever the seed, which rare branches (a result entered in error) alone would not.
    static func isShowcase(_ index: Int) -> Bool {
        index % 20 == 0
    }

    /// The health board of the patient's practice, where most of their care happens.
    var homeBoard: HealthBoard {
        Catalogue.healthBoards[practice.healthBoard]
    }

    /// Whether patient `index` has a duplicate record, merged during its story: every hundredth patient, the
    /// first included (so a run of one patient holds a merge), and about 2 in 100 others: 3 % in all.
    static func hasDuplicateRecord(_ index: Int, seed: UInt64) -> Bool {
        index % 100 == 0 || splitMix64(splitMix64(seed ^ 0x6A09_E667_F3BC_C908) &+ UInt64(index)) % 100 < 2
    }

    /// Creates the story of patient `index` for `seed`, with the number the allocator gave it (and the one of its
    /// duplicate record, if it has one).
    init(
        index: Int,
        nhsNumber: String,
        duplicateNumber: String? = nil,
        seed: UInt64,
        plan: InvalidEventPlan,
        writer: JSONWriter
    ) {
        self.index = index
        self.nhsNumber = nhsNumber
        self.duplicateNumber = duplicateNumber
        self.plan = plan
        self.writer = writer
        owed = Self.isShowcase(index) ? Set(EventType.allCases) : []
        var random = RandomSource(seed: seed, stream: UInt64(index))
        registeredAt = StoryTime.storyStart + random.int64(in: 0...(365 * StoryTime.day - 1))
        practice = random.pick(Catalogue.practices)
        preferredLanguage = random.chance(0.2) ? "cy" : "en"
        self.random = random
    }

    /// Tells the whole story and returns its events in the order they happened, registration first.
    mutating func tell() -> [GeneratedEvent] {
        let givenName = tellRegistration()
        tellDetailsUpdates(givenName: givenName)
        tellAppointments()
        tellTests()
        tellConsents()
        tellJournal()
        tellMedications()
        tellAllergies()
        if let duplicateNumber { tellDuplicateRecord(duplicateNumber) }
        entries.sort { ($0.time, $0.ordinal) < ($1.time, $1.ordinal) }
        return entries.map(\.event)
    }

    /// Starts the payload of the next event, applying the invalid-event plan's decision for it.
    mutating func begin(_ type: EventType, schemaVersion: Int = 1) {
        pendingSchemaVersion = schemaVersion
        let corruption = plan.corruption(
            for: type,
            schemaVersion: schemaVersion,
            patient: index,
            ordinal: entries.count
        )
        writer.reset(corruption: corruption)
        writer.beginObject()
    }

    /// Closes the payload begun by ``begin(_:schemaVersion:)``, writes its metadata and records the event.
    ///
    /// - Returns: The new event's id, for the `causationId` of events it leads to.
    @discardableResult
    mutating func finish(
        _ type: EventType,
        stream: String,
        at time: Int64,
        style: TimeStyle,
        source: String,
        correlationID: String,
        causationID: String? = nil
    ) -> String {
        writer.endObject()
        let data = writer.makeString()
        writer.reset()
        writer.beginObject()
        writer.field("schemaVersion", pendingSchemaVersion)
        writer.timestampField("occurredAt", time, style: style)
        writer.field("sourceSystem", source)
        writer.field("correlationId", correlationID)
        if let causationID { writer.field("causationId", causationID) }
        writer.endObject()
        let eventID = random.uuid()
        let event = GeneratedEvent(
            stream: stream,
            type: type.rawValue,
            eventID: eventID,
            data: data,
            metadata: writer.makeString()
        )
        entries.append(Entry(time: time, ordinal: entries.count, event: event))
        owed.remove(type)
        return eventID
    }

    /// `true` with probability `probability`, or always while the story still owes an event of `type`.
    mutating func chance(_ probability: Double, owing type: EventType) -> Bool {
        // Draw in every case so a showcase story consumes its random stream like any other.
        random.chance(probability) || owed.contains(type)
    }

    /// Whether the story still owes an event of `type`.
    func owes(_ type: EventType) -> Bool {
        owed.contains(type)
    }

    /// Writes a bilingual text object; about one in ten leaves out `cy`, as some producers do.
    mutating func bilingualField(_ name: StaticString, _ text: BilingualText) {
        writer.key(name)
        writer.beginObject()
        writer.field("en", text.en)
        if !random.chance(0.1) { writer.field("cy", text.cy) }
        writer.endObject()
    }

    /// Writes a coded concept, `{code, system, name: {en, cy}}`: a laboratory test, a medicine, a substance.
    mutating func codedField(_ name: StaticString, code: String, system: String, text: BilingualText) {
        writer.key(name)
        writer.beginObject()
        writer.field("code", code)
        writer.field("system", system)
        bilingualField("name", text)
        writer.endObject()
    }

    /// Writes `{odsCode, name}`.
    mutating func organisationField(_ name: StaticString, _ organisation: Organisation) {
        writer.key(name)
        writer.beginObject()
        writer.field("odsCode", organisation.odsCode)
        writer.field("name", organisation.name)
        writer.endObject()
    }

    /// A uniform instant in `earliest...latest`, or `nil` when the interval is empty.
    mutating func instant(from earliest: Int64, to latest: Int64) -> Int64? {
        guard latest >= earliest else { return nil }
        return random.int64(in: earliest...latest)
    }

    /// A uniform instant in `earliest...latest`, clamped so an inverted interval gives `earliest`.
    mutating func instant(clampedFrom earliest: Int64, to latest: Int64) -> Int64 {
        instant(from: earliest, to: latest) ?? earliest
    }
}
