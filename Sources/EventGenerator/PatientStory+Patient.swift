extension PatientStory {
    /// The patient's own stream, `patient-<nhsNumber>`.
    var patientStream: String {
        "patient-" + nhsNumber
    }

    /// `PatientRegistered`, the first event of every story, sent by the GP practice's system.
    ///
    /// - Returns: The patient's given name, which later name changes keep.
    mutating func tellRegistration() -> String {
        let correlationID = random.uuid()
        let givenName = random.pick(Catalogue.givenNames)
        let born = random.int64(
            in: StoryTime.days(year: 1935, month: 1, day: 1)...StoryTime.days(year: 2020, month: 12, day: 31)
        )
        begin(.patientRegistered)
        writer.nhsNumberField(nhsNumber)
        writeName(given: givenName, family: random.pick(Catalogue.familyNames))
        writer.dateField("dateOfBirth", days: born)
        writer.field("preferredLanguage", preferredLanguage)
        organisationField("gpPractice", practice.organisation)
        finish(
            .patientRegistered,
            stream: patientStream,
            at: registeredAt,
            style: .utc,
            source: practice.organisation.odsCode,
            correlationID: correlationID
        )
        return givenName
    }

    /// Zero to two `PatientDetailsUpdated`: a new family name, language or practice, at least one of them.
    mutating func tellDetailsUpdates(givenName: String) {
        var count = chance(0.3, owing: .patientDetailsUpdated) ? 1 : 0
        if count == 1 && random.chance(0.15) { count = 2 }
        var language = preferredLanguage
        var currentPractice = practice
        var after = registeredAt
        for _ in 0..<count {
            guard let at = instant(from: after + StoryTime.day, to: StoryTime.now - StoryTime.day) else { return }
            after = at
            let correlationID = random.uuid()
            let changes = random.int(in: 1...7)
            begin(.patientDetailsUpdated)
            writer.nhsNumberField(nhsNumber)
            if changes & 1 != 0 {
                writeName(given: givenName, family: random.pick(Catalogue.familyNames))
            }
            if changes & 2 != 0 {
                language = language == "en" ? "cy" : "en"
                writer.field("preferredLanguage", language)
            }
            if changes & 4 != 0 {
                currentPractice = random.pick(Catalogue.practices)
                organisationField("gpPractice", currentPractice.organisation)
            }
            finish(
                .patientDetailsUpdated,
                stream: patientStream,
                at: at,
                style: .utc,
                source: currentPractice.organisation.odsCode,
                correlationID: correlationID
            )
        }
    }

    private mutating func writeName(given: String, family: String) {
        writer.key("name")
        writer.beginObject()
        writer.field("given", given)
        writer.field("family", family)
        writer.endObject()
    }
}
