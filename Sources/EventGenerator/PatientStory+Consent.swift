extension PatientStory {
    /// The patient's consent stream, `consent-<nhsNumber>`.
    var consentStream: String {
        "consent-" + nhsNumber
    }

    /// One to three consents, some with an expiry, some later withdrawn.
    mutating func tellConsents() {
        let count = random.int(in: 1...2) + (random.chance(0.2) ? 1 : 0)
        for _ in 0..<count {
            tellConsent()
        }
    }

    private mutating func tellConsent() {
        let consentID = random.uuid()
        let correlationID = random.uuid()
        let grantedAt = instant(clampedFrom: registeredAt + StoryTime.hour, to: StoryTime.now - StoryTime.day)
        let expiresAt: Int64? =
            random.chance(0.4) ? grantedAt + random.int64(in: 90...730) * StoryTime.day : nil

        begin(.consentGranted)
        writer.field("consentId", consentID)
        writer.nhsNumberField(nhsNumber)
        writeGrantee()
        writer.key("scopes")
        writer.beginArray()
        // Scopes come out in one fixed order so equal sets are equal bytes; the mask is never empty.
        let mask = random.int(in: 1...31)
        let scopes = ["timeline", "results", "appointments", "journal", "medications"]
        for bit in scopes.indices where mask & (1 << bit) != 0 {
            writer.string(scopes[bit])
        }
        writer.endArray()
        writer.field("purpose", random.chance(0.15) ? "research" : "direct-care")
        writer.timestampField("grantedAt", grantedAt, style: .utc)
        if let expiresAt { writer.timestampField("expiresAt", expiresAt, style: .utc) }
        let cause = finish(
            .consentGranted,
            stream: consentStream,
            at: grantedAt,
            style: .utc,
            source: "nhs-wales-app-consent",
            correlationID: correlationID
        )

        guard chance(0.25, owing: .consentWithdrawn),
            let withdrawnAt = instant(
                from: grantedAt + StoryTime.day,
                to: min(expiresAt ?? StoryTime.now, StoryTime.now) - StoryTime.minute
            )
        else { return }
        begin(.consentWithdrawn)
        writer.field("consentId", consentID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("withdrawnAt", withdrawnAt, style: .utc)
        if random.chance(0.6) { writer.field("reason", random.chance(0.5) ? "Patient request" : "No longer needed") }
        finish(
            .consentWithdrawn,
            stream: consentStream,
            at: withdrawnAt,
            style: .utc,
            source: "nhs-wales-app-consent",
            correlationID: correlationID,
            causationID: cause
        )
    }

    /// Writes `"grantee":{type, id}`: an organisation by ODS code, a role, or a person by uuid.
    private mutating func writeGrantee() {
        let roll = random.unit()
        let type: String
        let id: String
        if roll < 0.5 {
            type = "organisation"
            id =
                random.chance(0.5)
                ? practice.organisation.odsCode : random.pick(Catalogue.healthBoards).organisation.odsCode
        } else if roll < 0.8 {
            type = "role"
            id = random.pick(Catalogue.granteeRoles)
        } else {
            type = "person"
            id = random.uuid()
        }
        writer.key("grantee")
        writer.beginObject()
        writer.field("type", type)
        writer.field("id", id)
        writer.endObject()
    }
}
