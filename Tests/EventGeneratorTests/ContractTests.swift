import EventGenerator
import Foundation
import Testing

/// Every generated event obeys the event contract, and the streams tell causal stories.
@Suite("Contract")
struct ContractTests {
    private let events = parsedEvents(GeneratorOptions(patients: 150, seed: 11))

    @Test(arguments: 1...8 as ClosedRange<UInt64>)
    func everyEventTypeAppearsForTwentyPatientsWhateverTheSeed(seed: UInt64) {
        let types = Set(EventGenerator(GeneratorOptions(patients: 20, seed: seed)).map(\.type))
        #expect(types == ContractChecker.eventTypes)
    }

    @Test(arguments: [1, 2, 3, 0xDEAD_BEEF] as [UInt64])
    func theFirstPatientAloneShowsEveryEventType(seed: UInt64) {
        let types = Set(EventGenerator(GeneratorOptions(patients: 1, seed: seed)).map(\.type))
        #expect(types == ContractChecker.eventTypes)
    }

    @Test func everyLineIsJSONWithTheRequiredFieldsOfItsType() {
        #expect(events.count > 150 * 15)
        for event in events {
            let problems = ContractChecker.problems(of: event)
            #expect(problems.isEmpty, "\(event.type) \(event.eventID): \(problems)")
        }
    }

    @Test func everyNHSNumberPassesModulus11() {
        for event in events {
            let fields =
                event.type == "PatientRecordsMerged" ? ["retainedNhsNumber", "supersededNhsNumber"] : ["nhsNumber"]
            for field in fields {
                #expect(ContractChecker.isValidNHSNumber(event.data[field] as? String ?? ""), "\(event.eventID)")
            }
        }
    }

    @Test func eachPatientHasItsOwnNHSNumber() {
        let registered = events.filter { $0.type == "PatientRegistered" }.compactMap { $0.data["nhsNumber"] as? String }
        // A patient with a duplicate record is registered under both numbers.
        let duplicates = events.filter { $0.type == "PatientRecordsMerged" }.count
        #expect(duplicates >= 2)
        #expect(registered.count == 150 + duplicates)
        #expect(Set(registered).count == registered.count)
    }

    @Test func eventIDsAreUniqueLowercaseVersion4UUIDs() {
        let ids = events.map(\.eventID)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let uuid = UUID(uuidString: id)
            #expect(uuid?.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
        }
    }

    @Test func streamsAreNamedAfterTheirSubject() {
        for event in events {
            let category = event.stream.prefix { $0 != "-" }
            let subject = String(event.stream.dropFirst(category.count + 1))
            let key: String
            switch category {
            case "patient" where event.type == "PatientRecordsMerged": key = "retainedNhsNumber"
            case "patient", "consent", "journal": key = "nhsNumber"
            case "appointment": key = "appointmentId"
            case "laborder": key = "orderId"
            case "labresult": key = "resultId"
            case "medication": key = "medicationId"
            case "allergy": key = "allergyId"
            default:
                Issue.record("unknown stream category \(category)")
                continue
            }
            #expect(event.data[key] as? String == subject, "\(event.type) on \(category)")
        }
    }

    @Test func everyStreamBeginsWithTheEventThatCreatesIt() {
        let creators = [
            "patient": "PatientRegistered", "appointment": "AppointmentBooked", "laborder": "TestOrdered",
            "labresult": "TestResultRecorded", "medication": "MedicationPrescribed", "allergy": "AllergyRecorded",
        ]
        var firstTypes: [String: String] = [:]
        // Consent and journal streams hold many consents or entries: each one's first event must create it.
        var firstPerSubject: [String: String] = [:]
        for event in events {
            firstTypes[event.stream] = firstTypes[event.stream] ?? event.type
            if let id = (event.data["consentId"] ?? event.data["entryId"]) as? String {
                firstPerSubject[id] = firstPerSubject[id] ?? event.type
            }
        }
        for (stream, type) in firstTypes {
            if let creator = creators[String(stream.prefix { $0 != "-" })] {
                #expect(type == creator, "\(stream)")
            }
        }
        #expect(!firstPerSubject.isEmpty)
        #expect(firstPerSubject.values.allSatisfy { $0 == "ConsentGranted" || $0 == "JournalEntryAdded" })
    }

    @Test func anAppointmentEndsAtMostOnceAndNothingFollowsItsEnd() {
        let endings: Set = ["AppointmentCancelled", "AppointmentAttended", "AppointmentMissed"]
        var ended: Set<String> = []
        for event in events where event.stream.hasPrefix("appointment-") {
            #expect(!ended.contains(event.stream), "\(event.type) after the appointment ended")
            if endings.contains(event.type) { ended.insert(event.stream) }
        }
        #expect(!ended.isEmpty)
    }

    /// A story is one patient's; a patient with a duplicate record is registered under both numbers at once
    /// (the duplicate's registration follows at the same instant), and its merge names both.
    @Test func eachPatientsStoryStartsWithRegistrationAndMovesForwardInTime() throws {
        try #require(events.first?.type == "PatientRegistered")
        var numbers: [String] = []
        var previous: TimeInterval = 0
        var merges = 0
        var previousEvent: ParsedEvent?
        for event in events {
            if event.type == "PatientRegistered" {
                let number = event.data["nhsNumber"] as? String ?? ""
                if previousEvent?.type == "PatientRegistered", event.occurredAt == previousEvent?.occurredAt {
                    numbers.append(number)
                } else {
                    numbers = [number]
                    previous = 0
                }
            }
            if event.type == "PatientRecordsMerged" {
                merges += 1
                #expect(numbers.count == 2)
                #expect(event.data["retainedNhsNumber"] as? String == numbers.first)
                #expect(event.data["supersededNhsNumber"] as? String == numbers.last)
            } else {
                #expect(numbers.contains(event.data["nhsNumber"] as? String ?? "none"))
            }
            previousEvent = event
            let occurredAt = try #require(event.occurredAt)
            #expect(occurredAt >= previous, "\(event.type) goes back in time")
            previous = occurredAt
        }
        #expect(merges >= 2, "patients 0 and 100 have duplicate records")
    }

    @Test func everyEventHappenedBeforeTheStorysNow() {
        let now = ContractChecker.instant("2026-11-01T00:00:00Z")!
        let start = ContractChecker.instant("2024-01-01T00:00:00Z")!
        for event in events {
            let occurredAt = event.occurredAt ?? 0
            #expect(occurredAt >= start && occurredAt < now)
        }
    }

    @Test func causationPointsAtAnEarlierEventOfTheSameStory() {
        var seen: [String: String] = [:]
        for event in events {
            if let cause = event.metadata["causationId"] as? String {
                #expect(seen[cause] == event.metadata["correlationId"] as? String)
            }
            seen[event.eventID] = event.metadata["correlationId"] as? String
        }
    }
}
