extension PatientStory {
    /// The patient's journal stream, `journal-<nhsNumber>`.
    var journalStream: String {
        "journal-" + nhsNumber
    }

    /// Zero to eight journal entries written in the app; some change sharing, a few are deleted.
    mutating func tellJournal() {
        let count = random.int(in: 0...8)
        for _ in 0..<(isShowcase ? max(count, 2) : count) {
            tellJournalEntry()
        }
    }

    private mutating func tellJournalEntry() {
        let entryID = random.uuid()
        let correlationID = random.uuid()
        let writtenAt = instant(clampedFrom: registeredAt + StoryTime.hour, to: StoryTime.now - StoryTime.minute)
        let welsh = (preferredLanguage == "cy") != random.chance(0.2)
        var shared = random.chance(0.35)

        begin(.journalEntryAdded)
        writer.field("entryId", entryID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("writtenAt", writtenAt, style: .london)
        writer.field("text", random.pick(welsh ? Catalogue.welshJournalTexts : Catalogue.englishJournalTexts))
        writer.field("language", welsh ? "cy" : "en")
        if random.chance(0.7) { writer.field("mood", random.int(in: 1...5)) }
        writer.field("sharedWithCareTeam", shared)
        var cause = finish(
            .journalEntryAdded,
            stream: journalStream,
            at: writtenAt,
            style: .london,
            source: "nhs-wales-app",
            correlationID: correlationID
        )
        var lastAt = writtenAt

        let changes = chance(0.25, owing: .journalEntrySharingChanged) ? (random.chance(0.2) ? 2 : 1) : 0
        for _ in 0..<changes {
            guard let at = instant(from: lastAt + StoryTime.minute, to: StoryTime.now - StoryTime.minute) else { break }
            shared.toggle()
            begin(.journalEntrySharingChanged)
            writer.field("entryId", entryID)
            writer.nhsNumberField(nhsNumber)
            writer.field("sharedWithCareTeam", shared)
            cause = finish(
                .journalEntrySharingChanged,
                stream: journalStream,
                at: at,
                style: .london,
                source: "nhs-wales-app",
                correlationID: correlationID,
                causationID: cause
            )
            lastAt = at
        }

        guard chance(0.08, owing: .journalEntryDeleted),
            let at = instant(from: lastAt + StoryTime.minute, to: StoryTime.now - StoryTime.minute)
        else { return }
        begin(.journalEntryDeleted)
        writer.field("entryId", entryID)
        writer.nhsNumberField(nhsNumber)
        finish(
            .journalEntryDeleted,
            stream: journalStream,
            at: at,
            style: .london,
            source: "nhs-wales-app",
            correlationID: correlationID,
            causationID: cause
        )
    }
}
