import ProjectionContract
import ProjectionCore

/// Test orders and results: one entry per order and one per result, each updated as it progresses.
extension TimelineProjection {
    /// The order's entry, at the time it was ordered.
    func changes(for ordering: Decoded<TestOrdered>, at position: Int64) -> [RowChange] {
        let order = ordering.payload
        let entry = TimelineEntry(
            kind: .testOrder,
            id: order.orderID,
            nhsNumber: order.nhsNumber,
            occurredAt: order.orderedAt,
            status: "ordered",
            title: TimelineText.orderTitle(test: order.test.name),
            summary: TimelineText.orderedBy(order.orderedBy.name),
            detail: ("test-order", order.orderID),
            sourceSystem: ordering.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The result's entry at the time it was resulted, and its order marked `resulted` when named.
    ///
    /// The entry is inserted when new, and otherwise updated in every column but `visible_to_patient`:
    /// a result entered in error must stay out of the patient's view even if it is sent again.
    func changes(for recording: Decoded<TestResultRecorded>, at position: Int64) -> [RowChange] {
        let result = recording.payload
        let entry = TimelineEntry(
            kind: .result,
            id: result.resultID,
            nhsNumber: result.nhsNumber,
            occurredAt: result.resultedAt,
            status: result.status.rawValue,
            title: TimelineText.resultTitle(test: result.test.name),
            summary: TimelineText.resultSummary(
                value: result.value,
                unit: result.unit,
                interpretation: result.interpretation
            ),
            detail: ("result", result.resultID),
            detailLocation: result.reportLocation,
            sourceSystem: recording.metadata.sourceSystem,
            lastPosition: position
        )
        var overwrite = entry.columns
        overwrite["visible_to_patient"] = nil
        var changes: [RowChange] = [
            .insert(TimelineProjection.table, key: entry.key, entry.columns),
            .update(TimelineProjection.table, key: entry.key, overwrite),
        ]
        if let orderID = result.orderID {
            changes.append(update(TimelineEntry.key(.testOrder, orderID), ["status": "resulted"], at: position))
        }
        return changes
    }

    /// The result's entry shows the corrected value.
    func changes(for amendment: Decoded<TestResultAmended>, at position: Int64) -> [RowChange] {
        let corrected = amendment.payload
        let summary = TimelineText.resultSummary(
            value: corrected.value,
            unit: corrected.unit,
            interpretation: corrected.interpretation
        )
        return [
            update(
                TimelineEntry.key(.result, corrected.resultID),
                ["status": "amended", "summary_en": .text(summary.en), "summary_cy": .text(summary.cy)],
                at: position
            )
        ]
    }

    /// The result's entry leaves the patient's view but stays, flagged, for audit.
    func changes(for error: Decoded<TestResultEnteredInError>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.result, error.payload.resultID),
                ["status": "entered-in-error", "visible_to_patient": false],
                at: position
            )
        ]
    }
}
