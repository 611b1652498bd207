extension PatientStory {
    /// One result's story: its stream, the test, its correlation, and its last event.
    private struct ResultThread {
        let resultID: String
        let stream: String
        let test: LabTest
        let correlationID: String
        var lastAt: Int64
        var lastEventID: String
    }

    /// One to six tests: usually ordered, then resulted (unless still pending), sometimes amended or withdrawn.
    mutating func tellTests() {
        let count = random.int(in: 1...6)
        for _ in 0..<(isShowcase ? 6 : count) {
            let test = random.pick(Catalogue.tests)
            let correlationID = random.uuid()
            let orderedAt =
                random.chance(0.15)
                ? instant(clampedFrom: StoryTime.now - 20 * StoryTime.day, to: StoryTime.now - StoryTime.hour)
                : instant(clampedFrom: registeredAt + StoryTime.hour, to: StoryTime.now - 20 * StoryTime.day)
            // One result in ten arrives without an order on record, as from an external laboratory.
            let order = random.chance(0.9) ? orderTest(test, at: orderedAt, correlationID: correlationID) : nil
            let collectedAt = orderedAt + random.int64(in: 10...(3 * 24 * 60)) * StoryTime.minute
            let resultedAt = collectedAt + random.int64(in: 60...(4 * 24 * 60)) * StoryTime.minute
            guard resultedAt < StoryTime.now - StoryTime.minute, !random.chance(0.04) else { continue }
            var thread = recordResult(
                test,
                order: order,
                collectedAt: collectedAt,
                resultedAt: resultedAt,
                correlationID: correlationID
            )
            if chance(0.08, owing: .testResultAmended) { amend(&thread) }
            if chance(0.03, owing: .testResultEnteredInError) { enterInError(thread) }
        }
    }

    /// `TestOrdered` by the patient's practice or hospital.
    ///
    /// - Returns: The order's id and the event's id.
    private mutating func orderTest(
        _ test: LabTest,
        at orderedAt: Int64,
        correlationID: String
    ) -> (orderID: String, eventID: String) {
        let fromPractice = random.chance(0.7)
        let orderID = random.uuid()
        begin(.testOrdered)
        writer.field("orderId", orderID)
        writer.nhsNumberField(nhsNumber)
        writer.timestampField("orderedAt", orderedAt, style: .utc)
        writeTest(test)
        organisationField("orderedBy", fromPractice ? practice.organisation : homeBoard.organisation)
        let eventID = finish(
            .testOrdered,
            stream: "laborder-" + orderID,
            at: orderedAt,
            style: .utc,
            source: fromPractice ? practice.organisation.odsCode : "WCP",
            correlationID: correlationID
        )
        return (orderID, eventID)
    }

    /// `TestResultRecorded`: schemaVersion 2, or one time in ten schemaVersion 1 with value and unit in one string.
    private mutating func recordResult(
        _ test: LabTest,
        order: (orderID: String, eventID: String)?,
        collectedAt: Int64,
        resultedAt: Int64,
        correlationID: String
    ) -> ResultThread {
        let resultID = random.uuid()
        let legacy = random.chance(0.1)
        let value = test.sample(using: &random)
        begin(.testResultRecorded, schemaVersion: legacy ? 1 : 2)
        writer.field("resultId", resultID)
        if let order { writer.field("orderId", order.orderID) }
        writer.nhsNumberField(nhsNumber)
        writeTest(test)
        if !legacy {
            writeValue(value, of: test)
        } else if random.chance(0.1) {
            writer.field("value", random.pick(Catalogue.unparseableLegacyValues))
        } else {
            writer.field("value", test.legacyText(of: value))
        }
        writer.field("status", random.chance(0.85) ? "final" : "preliminary")
        writer.timestampField("collectedAt", collectedAt, style: .utc)
        writer.timestampField("resultedAt", resultedAt, style: .utc)
        organisationField("performer", homeBoard.laboratory)
        writer.field("reportLocation", "https://results.example.nhs.wales/reports/" + resultID)
        let stream = "labresult-" + resultID
        let eventID = finish(
            .testResultRecorded,
            stream: stream,
            at: resultedAt,
            style: .utc,
            source: "WLIMS",
            correlationID: correlationID,
            causationID: order?.eventID
        )
        return ResultThread(
            resultID: resultID,
            stream: stream,
            test: test,
            correlationID: correlationID,
            lastAt: resultedAt,
            lastEventID: eventID
        )
    }

    /// `TestResultAmended` with a new value within ten days, if that is before "now".
    private mutating func amend(_ thread: inout ResultThread) {
        let latest = min(thread.lastAt + 10 * StoryTime.day, StoryTime.now - StoryTime.minute)
        guard let amendedAt = instant(from: thread.lastAt + StoryTime.hour, to: latest) else { return }
        begin(.testResultAmended)
        writer.field("resultId", thread.resultID)
        writer.nhsNumberField(nhsNumber)
        writeValue(thread.test.sample(using: &random), of: thread.test)
        writer.field("reason", random.pick(Catalogue.amendmentReasons))
        writer.timestampField("amendedAt", amendedAt, style: .utc)
        thread.lastEventID = finish(thread, .testResultAmended, at: amendedAt)
        thread.lastAt = amendedAt
    }

    /// `TestResultEnteredInError` within thirty days, if that is before "now".
    private mutating func enterInError(_ thread: ResultThread) {
        let latest = min(thread.lastAt + 30 * StoryTime.day, StoryTime.now - StoryTime.minute)
        guard let at = instant(from: thread.lastAt + StoryTime.hour, to: latest) else { return }
        begin(.testResultEnteredInError)
        writer.field("resultId", thread.resultID)
        writer.nhsNumberField(nhsNumber)
        writer.field("reason", random.pick(Catalogue.enteredInErrorReasons))
        finish(thread, .testResultEnteredInError, at: at)
    }

    /// Finishes a laboratory event on the result's stream, caused by the result's last event.
    @discardableResult
    private mutating func finish(_ thread: ResultThread, _ type: EventType, at time: Int64) -> String {
        finish(
            type,
            stream: thread.stream,
            at: time,
            style: .utc,
            source: "WLIMS",
            correlationID: thread.correlationID,
            causationID: thread.lastEventID
        )
    }

    /// Writes `"test":{code, system, name}`.
    private mutating func writeTest(_ test: LabTest) {
        codedField("test", code: test.code, system: test.system, text: test.name)
    }

    /// Writes schemaVersion 2's `value`, `unit?`, `referenceRange?` and the `interpretation` they imply.
    private mutating func writeValue(_ value: LabValue, of test: LabTest) {
        writer.key("value")
        switch value {
        case .number(let number): writer.decimal(number)
        case .text(let text, _): writer.string(text)
        }
        if let unit = test.unit { writer.field("unit", unit) }
        if test.hasReferenceRange { test.writeReferenceRange(to: &writer) }
        writer.field("interpretation", test.interpretation(of: value).rawValue)
    }
}
