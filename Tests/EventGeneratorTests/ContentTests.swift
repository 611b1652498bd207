import EventGenerator
import Foundation
import Testing

/// The stories are realistic enough to exercise every path of the read models.
@Suite("Content")
struct ContentTests {
    private let events = parsedEvents(GeneratorOptions(patients: 200, seed: 5))

    private func share(_ part: Int, of whole: Int) -> Double {
        Double(part) / Double(max(whole, 1))
    }

    @Test func averageEventsPerPatientMatchesTheMeasuredConstant() {
        let patients = 1_000
        let count = EventGenerator(GeneratorOptions(patients: patients, seed: 99)).reduce(0) { count, _ in count + 1 }
        let average = Double(count) / Double(patients)
        #expect(abs(average - EventGenerator.averageEventsPerPatient) / EventGenerator.averageEventsPerPatient < 0.04)
        #expect((20...40).contains(EventGenerator.averageEventsPerPatient))
    }

    @Test func aboutOneResultInTenUsesSchemaVersion1() {
        let results = events.filter { $0.type == "TestResultRecorded" }
        let legacy = results.filter { $0.schemaVersion == 1 }
        #expect((0.05...0.15).contains(share(legacy.count, of: results.count)))
        #expect(results.allSatisfy { $0.schemaVersion == 1 || $0.schemaVersion == 2 })
        for result in legacy {
            #expect(result.data["value"] is String)
            #expect(result.data["referenceRange"] == nil)
            #expect(result.data["interpretation"] == nil)
        }
        let unparseable = legacy.filter { ($0.data["value"] as? String)?.first?.isNumber == false }
        #expect(!unparseable.isEmpty)
    }

    @Test func interpretationAgreesWithValueAndReferenceRange() {
        let flagged = events.filter {
            $0.type == "TestResultAmended" || ($0.type == "TestResultRecorded" && $0.schemaVersion == 2)
        }
        var seen: Set<String> = []
        var checked = 0
        for event in flagged {
            let interpretation = event.data["interpretation"] as? String ?? ""
            seen.insert(interpretation)
            guard let value = event.data["value"] as? Double, !(event.data["value"] is String),
                let range = event.data["referenceRange"] as? [String: Any]
            else { continue }
            checked += 1
            let low = range["low"] as? Double
            let high = range["high"] as? Double
            switch interpretation {
            case "normal": #expect(value >= (low ?? -.infinity) && value <= (high ?? .infinity))
            case "low": #expect(value < low ?? -.infinity)
            case "high": #expect(value > high ?? .infinity)
            case "critical": #expect(value < low ?? -.infinity || value > high ?? .infinity)
            default: Issue.record("numeric result flagged \(interpretation)")
            }
        }
        #expect(checked > flagged.count / 2)
        #expect(seen == ["normal", "low", "high", "abnormal", "critical"])
    }

    @Test func reportLocationsPointAtTheResult() {
        for event in events where event.type == "TestResultRecorded" {
            let resultID = event.data["resultId"] as? String ?? "?"
            #expect(event.data["reportLocation"] as? String == "https://results.example.nhs.wales/reports/\(resultID)")
        }
    }

    @Test func someAppointmentsAreStillToComeAndEveryOutcomeOccurs() {
        let now = ContractChecker.instant("2026-11-01T00:00:00Z")!
        var latestStart: [String: TimeInterval] = [:]
        for event in events {
            if let startsAt = (event.data["startsAt"] as? String).flatMap(ContractChecker.instant) {
                latestStart[event.stream] = startsAt
            }
        }
        let upcoming = latestStart.values.filter { $0 > now }.count
        #expect((0.05...0.4).contains(share(upcoming, of: latestStart.count)))
        let types = Set(events.map(\.type))
        #expect(
            types.isSuperset(of: [
                "AppointmentRescheduled", "AppointmentCancelled", "AppointmentAttended", "AppointmentMissed",
            ])
        )
        let modes = Set(events.compactMap { $0.data["mode"] as? String })
        #expect(modes == ["in-person", "video", "telephone"])
    }

    @Test func aboutOneBilingualTextInTenLacksWelsh() {
        let texts = events.flatMap { ContractChecker.bilingualTexts(in: $0.data) }
        let englishOnly = texts.filter { $0["cy"] == nil }
        #expect((0.06...0.14).contains(share(englishOnly.count, of: texts.count)))
        let welsh = Set(texts.compactMap { $0["cy"] as? String })
        #expect(
            welsh.isSuperset(of: [
                "Cleifion Allanol Cardioleg", "Clinig Diabetes", "Cyfrif gwaed llawn", "Potasiwm serwm",
            ])
        )
    }

    @Test func consentsVaryInGranteeScopePurposeAndExpiry() {
        let grants = events.filter { $0.type == "ConsentGranted" }
        let granteeTypes = Set(grants.compactMap { ($0.data["grantee"] as? [String: Any])?["type"] as? String })
        #expect(granteeTypes == ["organisation", "role", "person"])
        #expect(Set(grants.compactMap { $0.data["purpose"] as? String }) == ["direct-care", "research"])
        #expect(grants.contains { $0.data["expiresAt"] != nil } && grants.contains { $0.data["expiresAt"] == nil })
        let scopes = Set(grants.flatMap { $0.data["scopes"] as? [String] ?? [] })
        #expect(scopes == ["timeline", "results", "appointments", "journal", "medications"])
    }

    @Test func journalEntriesComeInBothLanguagesWithOptionalMood() {
        let entries = events.filter { $0.type == "JournalEntryAdded" }
        #expect(Set(entries.compactMap { $0.data["language"] as? String }) == ["en", "cy"])
        #expect(entries.contains { $0.data["mood"] != nil } && entries.contains { $0.data["mood"] == nil })
        // Texts with quotes, newlines, tabs and backslashes survive the JSON round trip.
        let texts = Set(entries.compactMap { $0.data["text"] as? String })
        #expect(texts.contains { $0.contains("\n") })
        #expect(texts.contains { $0.contains("\"") })
    }

    @Test func ndjsonLineEscapesEnvelopeStrings() throws {
        let event = GeneratedEvent(
            stream: "odd-\"quoted\"\\path\u{1}\n",
            type: "Tab\tType",
            eventID: "id",
            data: #"{"a":1}"#,
            metadata: #"{"schemaVersion":1}"#
        )
        let parsed = try #require(ParsedEvent(line: event.ndjsonLine))
        #expect(parsed.stream == event.stream)
        #expect(parsed.type == event.type)
        #expect(!event.ndjsonLine.contains("\n"))
        #expect(event.ndjsonLine.hasPrefix(#"{"stream":"#))
    }
}
