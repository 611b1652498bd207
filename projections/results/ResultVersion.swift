import ProjectionContract
import ProjectionCore

/// One row of `result_history`: a result as one event left it, written once and never changed.
struct ResultVersion {
    /// What the event did to the result: the `change` column.
    enum Change: String {
        /// `TestResultRecorded`, including a repeated recording (preliminary, then final).
        case recorded
        /// `TestResultAmended`.
        case amended
        /// `TestResultEnteredInError`.
        case enteredInError = "entered-in-error"
    }

    /// `result_id`, the first part of the key.
    var resultID: String
    /// `nhs_number`, as the event gave it.
    var nhsNumber: NHSNumber
    /// `change`.
    var change: Change
    /// `changed_at`: when the change happened in the world, when the event says.
    var changedAt: Timestamp?
    /// `status`: the result's status after the change.
    var status: String
    /// The value columns; nil when the event states no value (entered in error).
    var reading: ResultReading?
    /// `reason`: the amendment's or the withdrawal's free-text reason.
    var reason: String?
    /// `global_position` and `last_position`: the event's position, the second part of the key.
    var position: Int64

    /// The primary key: `(result_id, global_position)`.
    var key: [SQLValue] { [.text(resultID), .int(position)] }

    /// Every non-key column.
    var columns: Columns {
        var columns = reading?.columns ?? ResultReading.noReading
        columns["nhs_number"] = .text(nhsNumber.digits)
        columns["change"] = .text(change.rawValue)
        columns["changed_at"] = .text(changedAt?.text)
        columns["status"] = .text(status)
        columns["reason"] = .text(reason)
        columns["last_position"] = .int(position)
        return columns
    }

    /// The history row, inserted if absent: a replay of the same event writes nothing new.
    var insert: RowChange {
        .insert(ResultsProjection.history, key: key, columns)
    }
}
