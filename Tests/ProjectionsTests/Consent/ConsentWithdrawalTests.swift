import ConsentProjection
import ProjectionCore
import Testing

/// `ConsentWithdrawn`: the requirement that the consent exists, the row's withdrawal and its history.
@Suite("Consent: withdrawal")
struct ConsentWithdrawalTests {
    private let projection = ConsentProjection()

    @Test func withdrawingRequiresTheConsentFirstThenWithdrawsItAndAddsAHistoryRow() throws {
        let changes = try projection.changes(
            for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn(), position: 12)
        )
        #expect(
            changes == [
                .require("consents", key: ["consent-1"], because: "consent not granted"),
                .update(
                    "consents",
                    key: ["consent-1"],
                    [
                        "status": "withdrawn",
                        "withdrawn_at": "2026-03-01T00:00:00+00:00",
                        "withdrawal_reason": "Moved to another practice",
                        "last_position": 12,
                    ]
                ),
                .insert(
                    "consent_history",
                    key: ["consent-1", 12],
                    [
                        "nhs_number": "9434765919",
                        "change": "withdrawn",
                        "changed_at": "2026-03-01T00:00:00+00:00",
                        "grantee_type": nil,
                        "grantee_id": nil,
                        "scopes": nil,
                        "purpose": nil,
                        "expires_at": nil,
                        "reason": "Moved to another practice",
                        "last_position": 12,
                    ]
                ),
            ]
        )
    }

    @Test func theRequirementComesFirstAndHoldsNoPatientData() throws {
        let changes = try projection.changes(for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn()))
        let reason = try #require(changes.first?.requirement)
        #expect(reason == "consent not granted")
        #expect(changes.dropFirst().allSatisfy { $0.requirement == nil })
        for secret in ["9434765919", "consent-1", "Moved", "2026"] {
            #expect(!reason.contains(secret))
        }
    }

    @Test func aWithdrawalBeforeItsGrantIsRefusedWholeAndChangesNothing() throws {
        var store = ConsentStore()
        let refused = store.apply(
            try projection.changes(for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn()))
        )
        #expect(refused == "consent not granted")
        #expect(store.consents.rows.isEmpty)
        #expect(store.history.rows.isEmpty)
    }

    @Test func aWithdrawnConsentKeepsItsTermsAndGainsItsWithdrawal() throws {
        var store = ConsentStore()
        store.apply(
            try projection.changes(for: recordedEvent("ConsentGranted", Payloads.consentGranted(), position: 1))
        )
        let refused = store.apply(
            try projection.changes(for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn(), position: 2))
        )
        #expect(refused == nil)
        let row = try #require(store.consent("consent-1"))
        #expect(row["status"] == "withdrawn")
        #expect(row["withdrawn_at"] == "2026-03-01T00:00:00+00:00")
        #expect(row["withdrawal_reason"] == "Moved to another practice")
        #expect(row["granted_at"] == "2026-01-01T00:00:00Z")
        #expect(row["scopes"] == .textArray(["timeline", "results"]))
        #expect(row["source_system"] == "W97016")
        #expect(row["last_position"] == 2)
        #expect(store.history(of: "consent-1").mapValues { $0["change"] } == [1: "granted", 2: "withdrawn"])
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func aWithdrawalWithoutAReasonStoresNull(_ reason: String?) throws {
        let changes = try projection.changes(
            for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn(reason: reason))
        )
        guard changes.count == 3, case .update(let row) = changes[1].kind, case .insert(let entry) = changes[2].kind
        else {
            Issue.record("expected a requirement, an update and an insert")
            return
        }
        #expect(row["withdrawal_reason"] == .null)
        #expect(entry["reason"] == .null)
    }
}
