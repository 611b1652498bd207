import MedicationsProjection
import ProjectionContract
import ProjectionCore
import Testing

/// Every table of the medications read model kept in memory, changed event by event with the engine's rule:
/// an event whose requirements are not met changes nothing, and its reason is returned.
struct MedicationTables {
    var tables: [String: InMemoryTable] = [:]
    private var position: Int64 = 0

    mutating func apply(_ type: String, _ data: [String: Any]) throws -> String? {
        position += 1
        var event = recordedEvent(type, data, position: position)
        event.streamID = "medication-m1"
        let changes = try MedicationsProjection().changes(for: event)
        for change in changes {
            if let reason = change.requirement, tables[change.table]?[key: change.key] == nil { return reason }
        }
        for change in changes where change.requirement == nil {
            tables[change.table, default: InMemoryTable()].apply(change)
        }
        return nil
    }

    func row(_ table: String, _ id: String) -> Columns? { tables[table]?[id] }

    func steps() -> Set<String> {
        let keys = tables["pending_steps"].map { Array($0.rows.keys) } ?? []
        return Set(keys.map { key in key.map { $0.sqlText ?? "" }.joined(separator: ":") })
    }
}

enum Medications {
    static let nhs = Payloads.nhsNumber
    static var practice: [String: Any] { ["odsCode": "W97016", "name": "Meddygfa Taf"] }

    static func prescribed(kind: String = "repeat", repeats: Int? = 3) -> [String: Any] {
        var data: [String: Any] = [
            "medicationId": "m1", "nhsNumber": nhs,
            "medication": [
                "code": "317896006", "system": "https://dmd.nhs.uk",
                "name": ["en": "Metformin 500mg tablets", "cy": "Tabledi metformin 500mg"],
            ],
            "dosage": ["en": "One tablet twice a day"],
            "quantity": ["value": 56, "unit": "tablet"], "kind": kind,
            "prescribedAt": "2026-01-05T09:00:00+00:00", "prescriber": practice,
        ]
        if let repeats { data["repeatsAuthorised"] = repeats }
        return data
    }

    static func request(_ id: String = "q1") -> [String: Any] {
        [
            "requestId": id, "medicationId": "m1", "nhsNumber": nhs, "requestedAt": "2026-02-01T08:00:00Z",
            "channel": "app",
        ]
    }

    static func approved(_ id: String = "q1") -> [String: Any] {
        [
            "requestId": id, "medicationId": "m1", "nhsNumber": nhs, "approvedAt": "2026-02-01T12:00:00Z",
            "approvedBy": practice,
        ]
    }

    static func rejected(_ id: String = "q1") -> [String: Any] {
        [
            "requestId": id, "medicationId": "m1", "nhsNumber": nhs, "rejectedAt": "2026-02-01T12:00:00Z",
            "reason": ["en": "Too early to reorder", "cy": "Rhy gynnar i archebu eto"],
        ]
    }

    static func issued(_ id: String = "p1", request: String? = "q1") -> [String: Any] {
        var data: [String: Any] = [
            "prescriptionId": id, "medicationId": "m1", "nhsNumber": nhs, "issuedAt": "2026-02-01T15:00:00Z",
        ]
        if let request { data["requestId"] = request }
        return data
    }

    static func dispensed(_ id: String = "p1") -> [String: Any] {
        [
            "prescriptionId": id, "medicationId": "m1", "nhsNumber": nhs, "dispensedAt": "2026-02-02T10:00:00Z",
            "dispenser": ["odsCode": "FW123", "name": "Fferyllfa'r Stryd Fawr"],
        ]
    }

    static func stopped() -> [String: Any] {
        ["medicationId": "m1", "nhsNumber": nhs, "stoppedAt": "2026-03-01T09:00:00Z"]
    }

    static func allergy(_ type: String) -> [String: Any] {
        switch type {
        case "AllergyRecorded":
            [
                "allergyId": "a1", "nhsNumber": nhs,
                "substance": ["code": "764146007", "system": "http://snomed.info/sct", "name": ["en": "Penicillin"]],
                "reaction": ["en": "Rash", "cy": "Brech"], "severity": "moderate",
                "recordedAt": "2026-01-02T10:00:00Z", "recordedBy": practice,
            ]
        case "AllergyResolved": ["allergyId": "a1", "nhsNumber": nhs, "resolvedAt": "2026-04-01T10:00:00Z"]
        default: ["allergyId": "a1", "nhsNumber": nhs, "reason": "Recorded against the wrong patient"]
        }
    }
}

@Suite("Medications: courses, repeat requests and allergies")
struct MedicationsProjectionTests {
    @Test func aRepeatGoesFromRequestToDispensingWithEveryStepsTime() throws {
        var model = MedicationTables()
        #expect(try model.apply("MedicationPrescribed", Medications.prescribed()) == nil)
        #expect(try model.apply("RepeatPrescriptionRequested", Medications.request()) == nil)
        #expect(try model.apply("RepeatPrescriptionApproved", Medications.approved()) == nil)
        #expect(try model.apply("PrescriptionIssued", Medications.issued()) == nil)
        #expect(try model.apply("PrescriptionDispensed", Medications.dispensed()) == nil)

        let course = try #require(model.row("medications", "m1"))
        #expect(course["status"] == .text("active"))
        #expect(course["repeats_issued"] == .int(1))
        #expect(course["repeats_authorised"] == .int(3))
        #expect(course["latest_request_state"] == .text("issued"))
        #expect(course["last_dispensed_at"] == .text("2026-02-02T10:00:00Z"))
        #expect(course["dosage_cy"] == .text("One tablet twice a day"))
        #expect(course["cy_fallback"] == .bool(true))
        let request = try #require(model.row("repeat_requests", "q1"))
        #expect(request["state"] == .text("issued"))
        #expect(request["requested_at"] == .text("2026-02-01T08:00:00Z"))
        #expect(request["approved_at"] == .text("2026-02-01T12:00:00Z"))
        #expect(request["prescription_id"] == .text("p1"))
        #expect(model.row("prescriptions", "p1")?["dispensed_at"] == .text("2026-02-02T10:00:00Z"))
        #expect(model.tables["medication_history"]?.rows.count == 5)
        #expect(model.steps() == ["m1:medication-active", "m1:repeat-active"])
    }

    @Test func eventsInAnImpossibleOrderAreRefusedWithAReasonAndChangeNothing() throws {
        var model = MedicationTables()
        #expect(
            try model.apply("RepeatPrescriptionRequested", Medications.request())
                == "no active repeat medication to request"
        )
        _ = try model.apply("MedicationPrescribed", Medications.prescribed())
        _ = try model.apply("RepeatPrescriptionRequested", Medications.request())
        _ = try model.apply("RepeatPrescriptionRejected", Medications.rejected())
        let decided = "repeat request not awaiting a decision (never requested, or already decided)"
        #expect(try model.apply("RepeatPrescriptionApproved", Medications.approved()) == decided)
        #expect(model.row("repeat_requests", "q1")?["state"] == .text("rejected"))
        #expect(
            try model.apply("PrescriptionIssued", Medications.issued())
                == "repeat request not approved, or already issued"
        )
        #expect(
            try model.apply("PrescriptionDispensed", Medications.dispensed())
                == "prescription not issued, or already dispensed"
        )
        #expect(model.row("prescriptions", "p1") == nil)

        // Issued once, dispensed once.
        _ = try model.apply("RepeatPrescriptionRequested", Medications.request("q2"))
        _ = try model.apply("RepeatPrescriptionApproved", Medications.approved("q2"))
        #expect(try model.apply("PrescriptionIssued", Medications.issued("p2", request: "q2")) == nil)
        #expect(try model.apply("PrescriptionIssued", Medications.issued("p3", request: "q2")) != nil)
        #expect(try model.apply("PrescriptionDispensed", Medications.dispensed("p2")) == nil)
        #expect(try model.apply("PrescriptionDispensed", Medications.dispensed("p2")) != nil)

        // Stopped: nothing more can be requested or issued.
        #expect(try model.apply("MedicationStopped", Medications.stopped()) == nil)
        #expect(try model.apply("RepeatPrescriptionRequested", Medications.request("q3")) != nil)
        #expect(
            try model.apply("PrescriptionIssued", Medications.issued("p4", request: nil))
                == "medication not prescribed, or stopped"
        )
        #expect(try model.apply("MedicationStopped", Medications.stopped()) != nil)
        #expect(model.row("medications", "m1")?["status"] == .text("stopped"))
    }

    @Test func anAcuteCourseIsIssuedWithoutARequestAndCannotBeRepeated() throws {
        var model = MedicationTables()
        #expect(try model.apply("MedicationPrescribed", Medications.prescribed(kind: "acute", repeats: nil)) == nil)
        #expect(try model.apply("RepeatPrescriptionRequested", Medications.request()) != nil)
        #expect(try model.apply("PrescriptionIssued", Medications.issued(request: nil)) == nil)
        #expect(model.row("medications", "m1")?["repeats_issued"] == .int(1))
        #expect(model.row("medications", "m1")?["latest_request_state"] == .null)
    }

    @Test func anAllergyResolvesOnceAndOneEnteredInErrorLeavesThePatientsViewButStays() throws {
        var model = MedicationTables()
        #expect(try model.apply("AllergyResolved", Medications.allergy("AllergyResolved")) != nil)
        #expect(try model.apply("AllergyRecorded", Medications.allergy("AllergyRecorded")) == nil)
        #expect(try model.apply("AllergyResolved", Medications.allergy("AllergyResolved")) == nil)
        #expect(
            try model.apply("AllergyResolved", Medications.allergy("AllergyResolved"))
                == "allergy not recorded, or not active"
        )
        #expect(try model.apply("AllergyEnteredInError", Medications.allergy("AllergyEnteredInError")) == nil)
        let allergy = try #require(model.row("allergies", "a1"))
        #expect(allergy["status"] == .text("entered-in-error"))
        #expect(allergy["visible_to_patient"] == .bool(false))
        #expect(allergy["substance_name_cy"] == .text("Penicillin"))
        #expect(allergy["reaction_cy"] == .text("Brech"))
        #expect(model.tables["medication_history"]?.rows.count == 3)
    }

    @Test func theContractRefusesRepeatsOnAnAcuteCourseAndAQuantityThatIsNotPositive() throws {
        let cases: [([String: Any], String)] = [
            (
                Medications.prescribed(kind: "acute", repeats: 2),
                "data.repeatsAuthorised: must be absent for an acute medication"
            ),
            (Medications.prescribed(repeats: 0), "data.repeatsAuthorised: must be at least 1"),
            (
                Medications.prescribed().setting("quantity.value", to: 0),
                "data.quantity.value: must be a positive number"
            ),
            (Medications.prescribed().setting("kind", to: "forever"), "data.kind: must be one of acute, repeat"),
        ]
        for (data, reason) in cases {
            let failure = #expect(throws: ProjectionFailure.self) {
                try MedicationsProjection().changes(for: recordedEvent("MedicationPrescribed", data))
            }
            #expect(failure?.reason == reason)
        }
    }
}
