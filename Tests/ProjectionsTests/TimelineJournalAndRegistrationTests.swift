import ProjectionCore
import Testing
import TimelineProjection

/// The timeline's journal and registration entries, and what it ignores.
@Suite("Timeline: journal and registration")
struct TimelineJournalAndRegistrationTests {
    private let timeline = TimelineProjection()

    @Test func aJournalEntryInEnglishIsShownInBothLanguagesAndFlagged() throws {
        let changes = try timeline.changes(
            for: recordedEvent("JournalEntryAdded", Payloads.journalEntryAdded(), position: 30)
        )
        #expect(
            changes == [
                .upsert(
                    "entries",
                    key: ["journal:journal-1"],
                    [
                        "nhs_number": "9434765919",
                        "kind": "journal",
                        "occurred_at": "2026-02-05T21:00:00+00:00",
                        "status": nil,
                        "title_en": "Journal entry",
                        "title_cy": "Cofnod dyddiadur",
                        "summary_en": "Slept well, sugar levels steady.",
                        "summary_cy": "Slept well, sugar levels steady.",
                        "cy_fallback": true,
                        "detail_kind": "journal",
                        "detail_id": "journal-1",
                        "detail_location": nil,
                        "source_system": "W97016",
                        "visible_to_patient": true,
                        "shared_with_care_team": false,
                        "last_position": 30,
                    ]
                )
            ]
        )
    }

    @Test func aJournalEntryInWelshIsNotAFallback() throws {
        let payload = Payloads.journalEntryAdded(text: "Cysgu'n dda heno.", language: "cy")
        let row = try #require(
            try timeline.changes(for: recordedEvent("JournalEntryAdded", payload)).first?.upsertedColumns
        )
        #expect(row["summary_cy"] == "Cysgu'n dda heno.")
        #expect(row["cy_fallback"] == false)
    }

    @Test func aLongJournalEntryIsCutAtAWordToTwoHundredCharactersOnOneLine() throws {
        let text = "Line one.\n\n" + String(repeating: "word ", count: 100)
        let payload = Payloads.journalEntryAdded(text: text)
        let row = try #require(
            try timeline.changes(for: recordedEvent("JournalEntryAdded", payload)).first?.upsertedColumns
        )
        guard case .text(let summary) = row["summary_en"] else {
            Issue.record("summary_en is not text")
            return
        }
        #expect(summary.count <= 200)
        #expect(summary.hasPrefix("Line one. word word"))
        #expect(summary.hasSuffix("word…"))
        #expect(!summary.contains("\n"))
    }

    @Test func aShortJournalEntryIsKeptWholeOnOneLine() throws {
        let payload = Payloads.journalEntryAdded(text: "  Felt  tired\ttoday.\n")
        let row = try #require(
            try timeline.changes(for: recordedEvent("JournalEntryAdded", payload)).first?.upsertedColumns
        )
        #expect(row["summary_en"] == "Felt tired today.")
    }

    @Test func changingSharingUpdatesOnlyTheSharingFlag() throws {
        let changes = try timeline.changes(
            for: recordedEvent("JournalEntrySharingChanged", Payloads.journalEntrySharingChanged(), position: 31)
        )
        #expect(
            changes == [
                .update("entries", key: ["journal:journal-1"], ["shared_with_care_team": true, "last_position": 31])
            ]
        )
    }

    @Test func deletingAJournalEntryRemovesItsEntry() throws {
        let changes = try timeline.changes(for: recordedEvent("JournalEntryDeleted", Payloads.journalEntryDeleted()))
        #expect(changes == [.delete("entries", key: ["journal:journal-1"])])
    }

    @Test func registeringCreatesARegistrationEntryAtTheEventsOccurredAt() throws {
        let changes = try timeline.changes(
            for: recordedEvent("PatientRegistered", Payloads.patientRegistered(), position: 1)
        )
        #expect(
            changes == [
                .upsert(
                    "entries",
                    key: ["registration:9434765919"],
                    [
                        "nhs_number": "9434765919",
                        "kind": "registration",
                        "occurred_at": "2026-01-15T12:00:00Z",
                        "status": "registered",
                        "title_en": "Registered with Meddygfa Taf",
                        "title_cy": "Wedi cofrestru gyda Meddygfa Taf",
                        "summary_en": "Preferred language: Welsh",
                        "summary_cy": "Iaith ddewisol: Cymraeg",
                        "cy_fallback": false,
                        "detail_kind": nil,
                        "detail_id": nil,
                        "detail_location": nil,
                        "source_system": "W97016",
                        "visible_to_patient": true,
                        "shared_with_care_team": nil,
                        "last_position": 1,
                    ]
                )
            ]
        )
    }

    @Test func aRegistrationWithoutOccurredAtIsInvalidRatherThanTimedByTheClock() {
        let event = recordedEvent(
            "PatientRegistered",
            Payloads.patientRegistered(),
            metadata: Payloads.metadata().setting("occurredAt", to: nil)
        )
        let failure = #expect(throws: ProjectionFailure.self) {
            try timeline.changes(for: event)
        }
        #expect(failure?.category == .invalidPayload)
        #expect(failure?.reason == "metadata.occurredAt: required field is missing")
    }

    @Test(arguments: ["ConsentGranted", "ConsentWithdrawn", "PatientDetailsUpdated", "SomethingNew"])
    func eventsTheTimelineDoesNotHandleChangeNothing(_ type: String) throws {
        #expect(!timeline.eventTypes.contains(type))
        #expect(try timeline.changes(for: recordedEvent(type, Payloads.consentGranted())).isEmpty)
    }

    @Test func handlesTheAppointmentResultJournalAndRegistrationEvents() {
        #expect(timeline.name == "timeline")
        #expect(timeline.version == 3)
        #expect(
            timeline.eventTypes == [
                "PatientRegistered", "AppointmentBooked", "AppointmentRescheduled", "AppointmentCancelled",
                "AppointmentAttended", "AppointmentMissed", "TestOrdered", "TestResultRecorded", "TestResultAmended",
                "TestResultEnteredInError", "JournalEntryAdded", "JournalEntrySharingChanged", "JournalEntryDeleted",
                "PatientRecordsMerged", "MedicationPrescribed", "MedicationStopped", "RepeatPrescriptionRequested",
                "RepeatPrescriptionApproved", "RepeatPrescriptionRejected", "PrescriptionIssued",
                "PrescriptionDispensed",
                "AllergyRecorded", "AllergyResolved", "AllergyEnteredInError",
            ]
        )
        #expect(
            timeline.tables == [
                TableSpec(name: "entries", primaryKey: ["entry_id"]),
                TableSpec(name: "merged_numbers", primaryKey: ["nhs_number"]),
                TableSpec(name: "pending_steps", primaryKey: ["subject_id", "step"]),
            ]
        )
    }
}
