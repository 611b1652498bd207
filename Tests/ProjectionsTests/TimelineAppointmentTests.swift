import ProjectionCore
import Testing
import TimelineProjection

/// The timeline's appointment entries.
@Suite("Timeline: appointments")
struct TimelineAppointmentTests {
    private let timeline = TimelineProjection()

    @Test func bookingUpsertsTheWholeEntryWithBilingualTitleAndSummary() throws {
        let changes = try timeline.changes(
            for: recordedEvent("AppointmentBooked", Payloads.appointmentBooked(), position: 7)
        )
        #expect(
            changes == [
                .upsert(
                    "entries",
                    key: ["appointment:appt-1"],
                    [
                        "nhs_number": "9434765919",
                        "kind": "appointment",
                        "occurred_at": "2026-03-10T09:30:00Z",
                        "status": "booked",
                        "title_en": "Appointment: Diabetes clinic",
                        "title_cy": "Apwyntiad: Clinig diabetes",
                        "summary_en": "Booked · Video · Diabetology",
                        "summary_cy": "Wedi'i drefnu · Fideo · Diabetology",
                        "cy_fallback": false,
                        "detail_kind": "appointment",
                        "detail_id": "appt-1",
                        "detail_location": nil,
                        "source_system": "W97016",
                        "visible_to_patient": true,
                        "shared_with_care_team": nil,
                        "last_position": 7,
                    ]
                )
            ]
        )
    }

    @Test func aClinicNameWithoutWelshFallsBackToEnglishAndIsFlagged() throws {
        let payload = Payloads.appointmentBooked()
            .setting("clinic.name", to: ["en": "Eye clinic"])
            .setting("mode", to: "in-person")
        let change = try #require(try timeline.changes(for: recordedEvent("AppointmentBooked", payload)).first)
        let row = try #require(change.upsertedColumns)
        #expect(row["title_cy"] == "Apwyntiad: Eye clinic")
        #expect(row["summary_cy"] == "Wedi'i drefnu · Wyneb yn wyneb · Diabetology")
        #expect(row["cy_fallback"] == true)
    }

    @Test func reschedulingMovesTheEntryToTheNewStart() throws {
        let changes = try timeline.changes(
            for: recordedEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), position: 8)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["appointment:appt-1"],
                    [
                        "occurred_at": "2026-03-17T14:00:00+00:00",
                        "status": "rescheduled",
                        "summary_en": "Rescheduled",
                        "summary_cy": "Wedi'i aildrefnu",
                        "last_position": 8,
                    ]
                )
            ]
        )
    }

    @Test(arguments: [
        ("patient", "Cancelled at your request", "Wedi'i ganslo ar eich cais"),
        ("provider", "Cancelled by the provider", "Wedi'i ganslo gan y darparwr"),
    ])
    func cancellingSaysWhoCancelled(_ party: String, _ en: String, _ cy: String) throws {
        let changes = try timeline.changes(
            for: recordedEvent("AppointmentCancelled", Payloads.appointmentCancelled(by: party), position: 9)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["appointment:appt-1"],
                    ["status": "cancelled", "summary_en": .text(en), "summary_cy": .text(cy), "last_position": 9]
                )
            ]
        )
    }

    @Test func attendingMarksTheEntryAttended() throws {
        let changes = try timeline.changes(
            for: recordedEvent("AppointmentAttended", Payloads.appointmentAttended(), position: 10)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["appointment:appt-1"],
                    ["status": "attended", "summary_en": "Attended", "summary_cy": "Wedi mynychu", "last_position": 10]
                )
            ]
        )
    }

    @Test func missingMarksTheEntryMissed() throws {
        let changes = try timeline.changes(
            for: recordedEvent("AppointmentMissed", Payloads.appointmentMissed(), position: 11)
        )
        #expect(
            changes == [
                .update(
                    "entries",
                    key: ["appointment:appt-1"],
                    [
                        "status": "missed",
                        "summary_en": "Missed (did not attend)",
                        "summary_cy": "Heb fynychu",
                        "last_position": 11,
                    ]
                )
            ]
        )
    }

    @Test func anAppointmentsEventsLeaveOneEntryWithItsLatestState() throws {
        var table = InMemoryTable()
        table.apply(
            try timeline.changes(for: recordedEvent("AppointmentBooked", Payloads.appointmentBooked(), position: 1))
        )
        table.apply(
            try timeline.changes(
                for: recordedEvent("AppointmentRescheduled", Payloads.appointmentRescheduled(), position: 2)
            )
        )
        table.apply(
            try timeline.changes(for: recordedEvent("AppointmentAttended", Payloads.appointmentAttended(), position: 3))
        )

        #expect(table.rows.count == 1)
        let row = try #require(table["appointment:appt-1"])
        #expect(row["status"] == "attended")
        #expect(row["occurred_at"] == "2026-03-17T14:00:00+00:00")
        #expect(row["title_en"] == "Appointment: Diabetes clinic")
        #expect(row["last_position"] == 3)
    }

    @Test func anUpdateForAnAppointmentNeverBookedChangesNothing() throws {
        var table = InMemoryTable()
        table.apply(try timeline.changes(for: recordedEvent("AppointmentMissed", Payloads.appointmentMissed())))
        #expect(table.rows.isEmpty)
    }
}

extension RowChange {
    /// The columns of an upsert or insert, or nil for other kinds.
    var upsertedColumns: Columns? {
        switch kind {
        case .upsert(let columns), .insert(let columns): columns
        case .update, .delete, .requireExisting: nil
        }
    }
}
