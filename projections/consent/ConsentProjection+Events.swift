import ProjectionContract
import ProjectionCore

/// Grants and withdrawals: each changes the consent's row and adds one history row.
extension ConsentProjection {
    /// The consent, written whole with status `granted`, and a `granted` history row.
    ///
    /// Scopes keep the order the consent service sent them in (the contract drops repeats): an order
    /// is already fixed by the producer, so sorting would add nothing that `= ANY (scopes)` needs.
    /// The grant clears any earlier withdrawal of the same consent id: in the log's order, the latest
    /// word on a consent is the one that holds.
    func changes(for granting: Decoded<ConsentGranted>, at position: Int64) -> [RowChange] {
        let consent = granting.payload
        let scopes = SQLValue.textArray(consent.scopes.map(\.rawValue))
        let history = ConsentHistoryEntry(
            consentID: consent.consentID,
            position: position,
            nhsNumber: consent.nhsNumber,
            change: .granted,
            changedAt: consent.grantedAt,
            grant: ConsentHistoryEntry.Grant(
                grantee: consent.grantee,
                scopes: consent.scopes,
                purpose: consent.purpose,
                expiresAt: consent.expiresAt
            ),
            reason: nil
        )
        return [
            .upsert(
                ConsentProjection.consents,
                key: ConsentProjection.key(consent.consentID),
                [
                    "nhs_number": .text(consent.nhsNumber.digits),
                    "grantee_type": .text(consent.grantee.type.rawValue),
                    "grantee_id": .text(consent.grantee.id),
                    "scopes": scopes,
                    "purpose": .text(consent.purpose.rawValue),
                    "granted_at": .text(consent.grantedAt.text),
                    "expires_at": .text(consent.expiresAt?.text),
                    "withdrawn_at": .null,
                    "withdrawal_reason": .null,
                    "status": .text(ConsentProjection.Status.granted.rawValue),
                    "source_system": .text(granting.metadata.sourceSystem),
                    "last_position": .int(position),
                ]
            ),
            history.insertion,
        ]
    }

    /// The consent's withdrawal and a `withdrawn` history row, once the consent exists.
    ///
    /// A withdrawal of a consent never granted is dead-lettered rather than ignored: losing it
    /// silently could leave a later grant of that consent in force against the patient's wish.
    func changes(for withdrawal: Decoded<ConsentWithdrawn>, at position: Int64) -> [RowChange] {
        let withdrawn = withdrawal.payload
        let key = ConsentProjection.key(withdrawn.consentID)
        let history = ConsentHistoryEntry(
            consentID: withdrawn.consentID,
            position: position,
            nhsNumber: withdrawn.nhsNumber,
            change: .withdrawn,
            changedAt: withdrawn.withdrawnAt,
            grant: nil,
            reason: withdrawn.reason
        )
        return [
            .require(ConsentProjection.consents, key: key, because: ConsentProjection.notGranted),
            .update(
                ConsentProjection.consents,
                key: key,
                [
                    "status": .text(ConsentProjection.Status.withdrawn.rawValue),
                    "withdrawn_at": .text(withdrawn.withdrawnAt.text),
                    "withdrawal_reason": .text(withdrawn.reason),
                    "last_position": .int(position),
                ]
            ),
            history.insertion,
        ]
    }

    /// The dead-letter reason of a withdrawal whose consent does not exist; names no patient data.
    static let notGranted = "consent not granted"

    /// The `status` of a consent row; expiry is not one, since no event marks it.
    enum Status: String {
        /// Granted and not withdrawn; possibly expired.
        case granted
        /// A withdrawal was recorded.
        case withdrawn
    }
}
