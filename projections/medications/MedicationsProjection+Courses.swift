import ProjectionContract
import ProjectionCore

/// Courses and their prescriptions: prescribed, issued, dispensed, stopped. The order rules (`MedicationSteps`)
/// come with each handler's changes.
extension MedicationsProjection {
    /// The course, with status `active`, and a `prescribed` history row.
    ///
    /// The row is inserted whole when new (nothing issued or requested yet), then what the prescription says is
    /// set: a second prescribing event of the same course (a producer resending it under another id) updates
    /// that and keeps the count of issues.
    func changes(for prescribing: Decoded<MedicationPrescribed>, at position: Int64) -> [RowChange] {
        let course = prescribing.payload
        let key: [SQLValue] = [.text(course.medicationID)]
        let described: Columns = [
            "nhs_number": .text(course.nhsNumber.digits),
            "code": .text(course.medication.code),
            "code_system": .text(course.medication.system),
            "name_en": .text(course.medication.name.en),
            "name_cy": .text(course.medication.name.cy),
            "dosage_en": .text(course.dosage.en),
            "dosage_cy": .text(course.dosage.cy),
            "cy_fallback": .bool(course.medication.name.cyIsFallback || course.dosage.cyIsFallback),
            "quantity_value": .double(course.quantity.value),
            "quantity_unit": .text(course.quantity.unit),
            "kind": .text(course.kind.rawValue),
            "repeats_authorised": course.repeatsAuthorised.map { .int(Int64($0)) } ?? .null,
            "status": .text("active"),
            "review_date": .text(course.reviewDate?.text),
            "prescribed_at": .text(course.prescribedAt.text),
            "prescriber_ods": .text(course.prescriber.odsCode),
            "prescriber_name": .text(course.prescriber.name),
            "stopped_at": .null,
            "stop_reason_en": .null,
            "stop_reason_cy": .null,
            "source_system": .text(prescribing.metadata.sourceSystem),
            "last_position": .int(position),
        ]
        let nothingYet: Columns = [
            "repeats_issued": .int(0), "last_issued_at": .null, "last_dispensed_at": .null,
            "latest_request_id": .null, "latest_request_state": .null,
        ]
        return [
            .insert(Self.medications, key: key, described.merging(nothingYet) { _, new in new }),
            .update(Self.medications, key: key, described),
            HistoryEntry(
                subjectID: course.medicationID,
                subject: "medication",
                medicationID: course.medicationID,
                nhsNumber: course.nhsNumber,
                change: "prescribed",
                changedAt: course.prescribedAt,
                by: course.prescriber
            ).insert(at: position),
        ]
    }

    /// Status `stopped`; no repeat can be requested or issued after.
    func changes(for stopping: Decoded<MedicationStopped>, at position: Int64) -> [RowChange] {
        let stop = stopping.payload
        return [
            .update(
                Self.medications,
                key: [.text(stop.medicationID)],
                [
                    "status": .text("stopped"),
                    "stopped_at": .text(stop.stoppedAt.text),
                    "stop_reason_en": .text(stop.reason?.en),
                    "stop_reason_cy": .text(stop.reason?.cy),
                    "last_position": .int(position),
                ]
            ),
            HistoryEntry(
                subjectID: stop.medicationID,
                subject: "medication",
                medicationID: stop.medicationID,
                nhsNumber: stop.nhsNumber,
                change: "stopped",
                changedAt: stop.stoppedAt
            ).insert(at: position),
        ]
    }

    /// The prescription, written whole (not yet dispensed); its request becomes `issued`, the course counts one
    /// more issue.
    func changes(for issuing: Decoded<PrescriptionIssued>, at position: Int64) -> [RowChange] {
        let issue = issuing.payload
        var changes: [RowChange] = []
        var course: Columns = [
            "repeats_issued": .increment(1),
            "last_issued_at": .text(issue.issuedAt.text),
            "last_position": .int(position),
        ]
        if let requestID = issue.requestID {
            course["latest_request_state"] = .text("issued")
            changes.append(
                .update(
                    Self.requests,
                    key: [.text(requestID)],
                    [
                        "state": .text("issued"),
                        "prescription_id": .text(issue.prescriptionID),
                        "issued_at": .text(issue.issuedAt.text),
                        "last_position": .int(position),
                    ]
                )
            )
        }
        return changes + [
            .upsert(
                Self.prescriptions,
                key: [.text(issue.prescriptionID)],
                [
                    "medication_id": .text(issue.medicationID),
                    "nhs_number": .text(issue.nhsNumber.digits),
                    "request_id": .text(issue.requestID),
                    "issued_at": .text(issue.issuedAt.text),
                    "nominated_pharmacy_ods": .text(issue.nominatedPharmacy?.odsCode),
                    "nominated_pharmacy_name": .text(issue.nominatedPharmacy?.name),
                    "dispensed_at": .null,
                    "dispenser_ods": .null,
                    "dispenser_name": .null,
                    "last_position": .int(position),
                ]
            ),
            .update(Self.medications, key: [.text(issue.medicationID)], course),
            HistoryEntry(
                subjectID: issue.prescriptionID,
                subject: "prescription",
                medicationID: issue.medicationID,
                nhsNumber: issue.nhsNumber,
                change: "issued",
                changedAt: issue.issuedAt
            ).insert(at: position),
        ]
    }

    /// When and where the prescription was dispensed.
    func changes(for dispensing: Decoded<PrescriptionDispensed>, at position: Int64) -> [RowChange] {
        let dispensed = dispensing.payload
        return [
            .update(
                Self.prescriptions,
                key: [.text(dispensed.prescriptionID)],
                [
                    "dispensed_at": .text(dispensed.dispensedAt.text),
                    "dispenser_ods": .text(dispensed.dispenser.odsCode),
                    "dispenser_name": .text(dispensed.dispenser.name),
                    "last_position": .int(position),
                ]
            ),
            .update(
                Self.medications,
                key: [.text(dispensed.medicationID)],
                ["last_dispensed_at": .text(dispensed.dispensedAt.text), "last_position": .int(position)]
            ),
            HistoryEntry(
                subjectID: dispensed.prescriptionID,
                subject: "prescription",
                medicationID: dispensed.medicationID,
                nhsNumber: dispensed.nhsNumber,
                change: "dispensed",
                changedAt: dispensed.dispensedAt,
                by: dispensed.dispenser
            ).insert(at: position),
        ]
    }
}
