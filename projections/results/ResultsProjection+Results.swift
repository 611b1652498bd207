import ProjectionContract
import ProjectionCore

/// Results: recorded, amended, entered in error; the current version in `lab_results`, each version in
/// `result_history`.
extension ResultsProjection {
    /// The requirement's reason; it names the rule, never the result.
    static let resultNotRecorded = "result not recorded"

    /// The result in its recorded version, inserted when new and otherwise overwritten, plus a history row.
    ///
    /// A result may be recorded more than once (preliminary, then final). The insert names every column a
    /// new row needs; the update that follows overwrites what a recording states and leaves what only
    /// later events write: `amendment_count`, `amended_at`, `entered_in_error_at`, and
    /// `visible_to_patient`, so that a result entered in error stays hidden even if it is sent again.
    func changes(for recording: Decoded<TestResultRecorded>, at position: Int64) -> [RowChange] {
        let result = recording.payload
        let reading = ResultReading(
            value: result.value,
            unit: result.unit,
            range: result.referenceRange,
            interpretation: result.interpretation
        )
        var recorded = reading.columns.merging(ResultsProjection.testColumns(result.test)) { $1 }
        recorded.merge(
            [
                "nhs_number": .text(result.nhsNumber.digits),
                "order_id": .text(result.orderID),
                "status": .text(result.status.rawValue),
                "collected_at": .text(result.collectedAt.text),
                "resulted_at": .text(result.resultedAt.text),
                "performer_ods": .text(result.performer.odsCode),
                "performer_name": .text(result.performer.name),
                "report_location": .text(result.reportLocation),
                "source_schema_version": .int(recording.metadata.schemaVersion),
                "source_system": .text(recording.metadata.sourceSystem),
                "last_position": .int(position),
            ]
        ) { $1 }
        var created = recorded
        created.merge(
            ["amendment_count": 0, "amended_at": .null, "entered_in_error_at": .null, "visible_to_patient": true]
        ) { $1 }
        let key: [SQLValue] = [.text(result.resultID)]
        let version = ResultVersion(
            resultID: result.resultID,
            nhsNumber: result.nhsNumber,
            change: .recorded,
            changedAt: result.resultedAt,
            status: result.status.rawValue,
            reading: reading,
            reason: nil,
            position: position
        )
        return [
            .insert(ResultsProjection.results, key: key, created),
            .update(ResultsProjection.results, key: key, recorded),
            version.insert,
        ]
    }

    /// The result takes the corrected value, range and interpretation, status `amended`, one more
    /// amendment; a history row keeps the version with its reason.
    ///
    /// The amendment restates the whole reading: a unit or range it does not send is cleared.
    func changes(for amendment: Decoded<TestResultAmended>, at position: Int64) -> [RowChange] {
        let corrected = amendment.payload
        let reading = ResultReading(
            value: corrected.value,
            unit: corrected.unit,
            range: corrected.referenceRange,
            interpretation: corrected.interpretation
        )
        var columns = reading.columns
        columns.merge(
            [
                "status": "amended",
                "amended_at": .text(corrected.amendedAt.text),
                "amendment_count": .increment(1),
                "last_position": .int(position),
            ]
        ) { $1 }
        let key: [SQLValue] = [.text(corrected.resultID)]
        let version = ResultVersion(
            resultID: corrected.resultID,
            nhsNumber: corrected.nhsNumber,
            change: .amended,
            changedAt: corrected.amendedAt,
            status: "amended",
            reading: reading,
            reason: corrected.reason,
            position: position
        )
        return [
            .require(ResultsProjection.results, key: key, because: ResultsProjection.resultNotRecorded),
            .update(ResultsProjection.results, key: key, columns),
            version.insert,
        ]
    }

    /// The result leaves the patient's view but stays, flagged, for audit; a history row keeps the reason.
    ///
    /// The event carries no time of its own: `metadata.occurredAt` stands for it. Without one,
    /// `entered_in_error_at` is left as it was rather than dead-lettering the event, which would leave
    /// a result entered in error in the patient's view.
    func changes(for withdrawal: Decoded<TestResultEnteredInError>, at position: Int64) -> [RowChange] {
        let error = withdrawal.payload
        let occurredAt = withdrawal.metadata.occurredAt
        var columns: Columns = [
            "status": "entered-in-error",
            "visible_to_patient": false,
            "last_position": .int(position),
        ]
        if let occurredAt { columns["entered_in_error_at"] = .text(occurredAt.text) }
        let key: [SQLValue] = [.text(error.resultID)]
        let version = ResultVersion(
            resultID: error.resultID,
            nhsNumber: error.nhsNumber,
            change: .enteredInError,
            changedAt: occurredAt,
            status: "entered-in-error",
            reading: nil,
            reason: error.reason,
            position: position
        )
        return [
            .require(ResultsProjection.results, key: key, because: ResultsProjection.resultNotRecorded),
            .update(ResultsProjection.results, key: key, columns),
            version.insert,
        ]
    }
}
