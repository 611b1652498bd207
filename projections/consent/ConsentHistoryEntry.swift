import ProjectionContract
import ProjectionCore

/// One row of `consent_history`: a grant or a withdrawal of one consent, written once and never changed.
struct ConsentHistoryEntry {
    /// The history table.
    static let table = "consent_history"

    /// What happened to the consent: the `change` column.
    enum Change: String {
        /// `ConsentGranted`.
        case granted
        /// `ConsentWithdrawn`.
        case withdrawn
    }

    /// What a grant says beyond the consent id; a withdrawal repeats none of it.
    struct Grant {
        /// `grantee_type` and `grantee_id`.
        var grantee: Grantee
        /// `scopes`, in the order sent.
        var scopes: [ConsentScope]
        /// `purpose`.
        var purpose: ConsentPurpose
        /// `expires_at`; nil when the consent runs until withdrawn.
        var expiresAt: Timestamp?
    }

    /// `consent_id`, the first part of the key.
    var consentID: String
    /// `global_position` of the event, the second part of the key; also `last_position`.
    var position: Int64
    /// `nhs_number`, as the event sent it.
    var nhsNumber: NHSNumber
    /// `change`.
    var change: Change
    /// `changed_at`: `grantedAt` or `withdrawnAt`.
    var changedAt: Timestamp
    /// The grant's terms; nil for a withdrawal, whose columns for them stay null.
    var grant: Grant?
    /// `reason`: the withdrawal's free-text reason; nil for a grant.
    var reason: String?

    /// Insert-if-absent, so a replayed event leaves the row as it was.
    var insertion: RowChange {
        .insert(ConsentHistoryEntry.table, key: [.text(consentID), .int(position)], columns)
    }

    /// Every non-key column.
    var columns: Columns {
        [
            "nhs_number": .text(nhsNumber.digits),
            "change": .text(change.rawValue),
            "changed_at": .text(changedAt.text),
            "grantee_type": .text(grant?.grantee.type.rawValue),
            "grantee_id": .text(grant?.grantee.id),
            "scopes": grant.map { .textArray($0.scopes.map(\.rawValue)) } ?? .null,
            "purpose": .text(grant?.purpose.rawValue),
            "expires_at": .text(grant?.expiresAt?.text),
            "reason": .text(reason),
            "last_position": .int(position),
        ]
    }
}
