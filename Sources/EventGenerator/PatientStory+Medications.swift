extension PatientStory {
    /// Zero to two courses of medicine on `medication-<medicationId>`: prescribed, issued, dispensed; repeats
    /// requested, approved or rejected; some stopped. Acute courses are issued once, without a request.
    mutating func tellMedications() {
        let count = random.int(in: 0...2)
        for number in 0..<(isShowcase ? 2 : count) {
            tellCourse(repeat: isShowcase ? number == 0 : random.chance(0.6))
        }
    }

    /// Zero to two allergies on `allergy-<allergyId>`; some resolved, a few entered in error.
    mutating func tellAllergies() {
        let count = random.chance(0.3) ? random.int(in: 1...2) : 0
        for _ in 0..<(isShowcase ? 2 : count) { tellAllergy() }
    }

    private mutating func tellCourse(repeat isRepeat: Bool) {
        let medicine = random.pick(Catalogue.medicines)
        let medicationID = random.uuid()
        let stream = "medication-" + medicationID
        let correlationID = random.uuid()
        var at = instant(clampedFrom: registeredAt + StoryTime.day, to: StoryTime.now - 250 * StoryTime.day)

        begin(.medicationPrescribed)
        writer.field("medicationId", medicationID)
        writer.nhsNumberField(nhsNumber)
        codedField("medication", code: medicine.code, system: "https://dmd.nhs.uk", text: medicine.name)
        bilingualField("dosage", medicine.dosage)
        writer.key("quantity")
        writer.beginObject()
        writer.field("value", medicine.quantity)
        writer.field("unit", medicine.unit)
        writer.endObject()
        writer.field("kind", isRepeat ? "repeat" : "acute")
        if isRepeat { writer.field("repeatsAuthorised", random.int(in: 3...6)) }
        if isRepeat && random.chance(0.7) { writer.dateField("reviewDate", days: (at / StoryTime.day) + 180) }
        writer.timestampField("prescribedAt", at, style: .london)
        organisationField("prescriber", practice.organisation)
        var cause = finish(
            .medicationPrescribed,
            stream: stream,
            at: at,
            style: .london,
            source: practice.organisation.odsCode,
            correlationID: correlationID
        )

        if isRepeat {
            let requests = random.int(in: 1...3)
            for _ in 0..<(isShowcase ? max(requests, 2) : requests) {
                tellRepeatRequest(medicationID, stream: stream, at: &at, cause: &cause, correlationID: correlationID)
            }
        } else {
            at += random.int64(in: 1...48) * StoryTime.hour
            tellIssue(
                medicationID,
                requestID: nil,
                stream: stream,
                at: &at,
                cause: &cause,
                correlationID: correlationID
            )
        }
        if chance(0.2, owing: .medicationStopped) {
            at += random.int64(in: 1...30) * StoryTime.day
            begin(.medicationStopped)
            writer.field("medicationId", medicationID)
            writer.nhsNumberField(nhsNumber)
            writer.timestampField("stoppedAt", at, style: .london)
            if random.chance(0.5) {
                bilingualField("reason", BilingualText(en: "Course finished", cy: "Cwrs wedi gorffen"))
            }
            finish(
                .medicationStopped,
                stream: stream,
                at: at,
                style: .london,
                source: practice.organisation.odsCode,
                correlationID: correlationID,
                causationID: cause
            )
        }
    }

    /// A repeat request, approved (then issued and mostly dispensed) or rejected.
    private mutating func tellRepeatRequest(
        _ medicationID: String,
        stream: String,
        at: inout Int64,
        cause: inout String,
        correlationID: String
    ) {
        let requestID = random.uuid()
        at += random.int64(in: 7...40) * StoryTime.day
        begin(.repeatPrescriptionRequested)
        writer.field("requestId", requestID)
        writer.field("medicationId", medicationID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("requestedAt", at, style: .london)
        writer.field("channel", random.pick(["app", "app", "app", "pharmacy", "practice"]))
        cause = finish(
            .repeatPrescriptionRequested,
            stream: stream,
            at: at,
            style: .london,
            source: "nhs-wales-app",
            correlationID: correlationID,
            causationID: cause
        )
        at += random.int64(in: 2...72) * StoryTime.hour
        if chance(0.15, owing: .repeatPrescriptionRejected) && !owes(.repeatPrescriptionApproved) {
            begin(.repeatPrescriptionRejected)
            writer.field("requestId", requestID)
            writer.field("medicationId", medicationID)
            writer.nhsNumberField(nhsNumber)
            writer.timestampField("rejectedAt", at, style: .london)
            bilingualField("reason", random.pick(Catalogue.rejectionReasons))
            cause = finish(
                .repeatPrescriptionRejected,
                stream: stream,
                at: at,
                style: .london,
                source: practice.organisation.odsCode,
                correlationID: correlationID,
                causationID: cause
            )
            return
        }
        begin(.repeatPrescriptionApproved)
        writer.field("requestId", requestID)
        writer.field("medicationId", medicationID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("approvedAt", at, style: .london)
        organisationField("approvedBy", practice.organisation)
        cause = finish(
            .repeatPrescriptionApproved,
            stream: stream,
            at: at,
            style: .london,
            source: practice.organisation.odsCode,
            correlationID: correlationID,
            causationID: cause
        )
        at += random.int64(in: 1...24) * StoryTime.hour
        tellIssue(
            medicationID,
            requestID: requestID,
            stream: stream,
            at: &at,
            cause: &cause,
            correlationID: correlationID
        )
    }

    /// A prescription issued, and dispensed nine times in ten.
    private mutating func tellIssue(
        _ medicationID: String,
        requestID: String?,
        stream: String,
        at: inout Int64,
        cause: inout String,
        correlationID: String
    ) {
        let prescriptionID = random.uuid()
        let pharmacy = random.pick(Catalogue.pharmacies)
        begin(.prescriptionIssued)
        writer.field("prescriptionId", prescriptionID)
        writer.field("medicationId", medicationID)
        writer.nhsNumberField(nhsNumber)
        if let requestID { writer.field("requestId", requestID) }
        writer.timestampField("issuedAt", at, style: .utc)
        if random.chance(0.7) { organisationField("nominatedPharmacy", pharmacy) }
        cause = finish(
            .prescriptionIssued,
            stream: stream,
            at: at,
            style: .utc,
            source: "eps",
            correlationID: correlationID,
            causationID: cause
        )
        guard chance(0.9, owing: .prescriptionDispensed) else { return }
        at += random.int64(in: 2...96) * StoryTime.hour
        begin(.prescriptionDispensed)
        writer.field("prescriptionId", prescriptionID)
        writer.field("medicationId", medicationID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("dispensedAt", at, style: .utc)
        organisationField("dispenser", pharmacy)
        cause = finish(
            .prescriptionDispensed,
            stream: stream,
            at: at,
            style: .utc,
            source: "eps",
            correlationID: correlationID,
            causationID: cause
        )
    }

    private mutating func tellAllergy() {
        let allergen = random.pick(Catalogue.allergens)
        let allergyID = random.uuid()
        let stream = "allergy-" + allergyID
        let correlationID = random.uuid()
        var at = instant(clampedFrom: registeredAt + StoryTime.day, to: StoryTime.now - 30 * StoryTime.day)
        begin(.allergyRecorded)
        writer.field("allergyId", allergyID)
        writer.nhsNumberField(nhsNumber)
        codedField("substance", code: allergen.code, system: "http://snomed.info/sct", text: allergen.name)
        if random.chance(0.8) { bilingualField("reaction", allergen.reaction) }
        writer.field("severity", random.pick(["mild", "moderate", "moderate", "severe"]))
        writer.timestampField("recordedAt", at, style: .london)
        organisationField("recordedBy", practice.organisation)
        let cause = finish(
            .allergyRecorded,
            stream: stream,
            at: at,
            style: .london,
            source: practice.organisation.odsCode,
            correlationID: correlationID
        )
        // A showcase story resolves its first allergy and enters its second in error.
        if !owes(.allergyResolved) && chance(0.05, owing: .allergyEnteredInError) {
            at += random.int64(in: 1...72) * StoryTime.hour
            begin(.allergyEnteredInError)
            writer.field("allergyId", allergyID)
            writer.nhsNumberField(nhsNumber)
            writer.field("reason", "Recorded against the wrong patient")
            finish(
                .allergyEnteredInError,
                stream: stream,
                at: at,
                style: .london,
                source: practice.organisation.odsCode,
                correlationID: correlationID,
                causationID: cause
            )
        } else if chance(0.2, owing: .allergyResolved) {
            at += random.int64(in: 1...25) * StoryTime.day
            begin(.allergyResolved)
            writer.field("allergyId", allergyID)
            writer.nhsNumberField(nhsNumber)
            writer.timestampField("resolvedAt", at, style: .london)
            finish(
                .allergyResolved,
                stream: stream,
                at: at,
                style: .london,
                source: practice.organisation.odsCode,
                correlationID: correlationID,
                causationID: cause
            )
        }
    }
}
