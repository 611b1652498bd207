import ProjectionContract
import ProjectionCore
import Testing

/// The timestamp (offset required) and date rules of the event contract.
@Suite("Timestamps and dates")
struct TimestampAndDateTests {
    @Test(arguments: [
        "2026-03-01T09:30:00Z",
        "2026-03-01T09:30:00.123456Z",
        "2026-03-01T10:30:00+01:00",
        "2026-03-01T10:30:00+0100",
        "2026-03-01T04:30:00-05",
        "2026-03-01T09:30Z",
        "2024-02-29T23:59:60Z",
        "2024-02-29T23:59:60.000Z",
        "2026-03-01T09:30:00-15:59",
        "2026-03-01T09:30:00." + String(repeating: "9", count: 100) + "Z",
    ])
    func acceptsISO8601WithAnOffset(_ text: String) {
        #expect(Timestamp(text)?.text == text)
    }

    @Test(arguments: [
        "2026-03-01T09:30:00",
        "2026-03-01T09:30:00.5",
        "2026-03-01",
        "2026-03-01 09:30:00Z",
        "2026-13-01T09:30:00Z",
        "2025-02-29T09:30:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T09:30:00+25:00",
        "2026-03-01T09:30:00+16:00",
        "2026-03-01T09:30:00,5Z",
        "2026-03-01T09:30:00Z junk",
        "1 March 2026",
        "",
    ])
    func rejectsTimestampsWithoutAnOffsetOrOutOfRange(_ text: String) {
        #expect(Timestamp(text) == nil)
    }

    @Test func aTimestampWithoutOffsetIsReportedAsMissingItsOffset() throws {
        let event = recordedEvent(
            "AppointmentBooked",
            Payloads.appointmentBooked().setting("startsAt", to: "2026-03-10T09:30:00")
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(AppointmentBooked.self, from: event)
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == "data.startsAt: timestamp must carry an offset (Z or ±hh:mm)")
    }

    @Test(arguments: ["1984-02-29", "2000-02-29", "1999-12-31", "0001-01-01"])
    func acceptsRealDates(_ text: String) {
        #expect(CalendarDate(text)?.text == text)
    }

    @Test(arguments: ["1900-02-29", "2023-02-29", "2026-04-31", "2026-00-10", "26-01-01", "2026-1-1", "2026-01-01Z"])
    func rejectsImpossibleOrMisshapenDates(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func aBadDateOfBirthNamesTheFieldAndTheForm() {
        let event = recordedEvent(
            "PatientRegistered",
            Payloads.patientRegistered().setting("dateOfBirth", to: "29/02/1984")
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try decode(PatientRegistered.self, from: event)
        }
        #expect(failure?.reason == "data.dateOfBirth: date must be a real date in the form YYYY-MM-DD")
    }

    /// Found by holding the fuzz corpus to PostgreSQL: these passed the contract, then failed the write of
    /// every read model they reached (PostgreSQL refuses a time field of about 130 characters, and a leap
    /// second past 60.000000).
    @Test(
        .bug(id: 21, "a timestamp the contract accepted and timestamptz refuses"),
        arguments: [
            "2026-03-01T09:30:00." + String(repeating: "9", count: 101) + "Z",
            "2026-03-01T09:30:00." + String(repeating: "9", count: 300) + "Z",
            "2026-12-31T23:59:60.5Z",
            "2026-12-31T23:59:60.000001Z",
        ]
    )
    func refusesWhatTimestamptzRefuses(_ text: String) {
        #expect(Timestamp(text) == nil)
    }
}
