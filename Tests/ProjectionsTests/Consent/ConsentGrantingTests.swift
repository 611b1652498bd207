import ConsentProjection
import ProjectionCore
import Testing

/// `ConsentGranted`: the consent's row and its history.
@Suite("Consent: granting")
struct ConsentGrantingTests {
    private let projection = ConsentProjection()

    @Test func grantingUpsertsTheWholeConsentAndAddsAGrantedHistoryRow() throws {
        let changes = try projection.changes(
            for: recordedEvent("ConsentGranted", Payloads.consentGranted(), position: 11)
        )
        #expect(
            changes == [
                .upsert(
                    "consents",
                    key: ["consent-1"],
                    [
                        "nhs_number": "9434765919",
                        "grantee_type": "organisation",
                        "grantee_id": "W97016",
                        "scopes": .textArray(["timeline", "results"]),
                        "purpose": "direct-care",
                        "granted_at": "2026-01-01T00:00:00Z",
                        "expires_at": nil,
                        "withdrawn_at": nil,
                        "withdrawal_reason": nil,
                        "status": "granted",
                        "source_system": "W97016",
                        "last_position": 11,
                    ]
                ),
                .insert(
                    "consent_history",
                    key: ["consent-1", 11],
                    [
                        "nhs_number": "9434765919",
                        "change": "granted",
                        "changed_at": "2026-01-01T00:00:00Z",
                        "grantee_type": "organisation",
                        "grantee_id": "W97016",
                        "scopes": .textArray(["timeline", "results"]),
                        "purpose": "direct-care",
                        "expires_at": nil,
                        "reason": nil,
                        "last_position": 11,
                    ]
                ),
            ]
        )
    }

    @Test func aResearchConsentForAPersonKeepsItsExpiryAndTheProducersOffset() throws {
        var store = ConsentStore()
        store.apply(try projection.changes(for: recordedEvent("ConsentGranted", Payloads.consentGrantedForResearch())))
        let row = try #require(store.consent("consent-2"))
        #expect(row["grantee_type"] == "person")
        #expect(row["grantee_id"] == "GMC-7012345")
        #expect(row["purpose"] == "research")
        #expect(row["granted_at"] == "2026-02-01T09:00:00+01:00")
        #expect(row["expires_at"] == "2026-07-01T00:00:00Z")
        #expect(store.history(of: "consent-2")[42]?["expires_at"] == "2026-07-01T00:00:00Z")
    }

    @Test func scopesKeepTheOrderSentWithRepeatsDropped() throws {
        let payload = Payloads.consentGranted().setting(
            "scopes",
            to: ["journal", "appointments", "journal", "timeline", "results"]
        )
        let changes = try projection.changes(for: recordedEvent("ConsentGranted", payload))
        let written = changes.map { change -> SQLValue? in
            switch change.kind {
            case .upsert(let columns), .insert(let columns): columns["scopes"]
            case .update, .delete, .requireExisting: nil
            }
        }
        let expected = SQLValue.textArray(["journal", "appointments", "timeline", "results"])
        #expect(written == [expected, expected])
    }

    @Test func aMissingSourceSystemIsStoredAsNull() throws {
        let event = recordedEvent(
            "ConsentGranted",
            Payloads.consentGranted(),
            metadata: Payloads.metadata().setting("sourceSystem", to: nil)
        )
        var store = ConsentStore()
        store.apply(try projection.changes(for: event))
        #expect(store.consent("consent-1")?["source_system"] == .null)
    }

    @Test func replayingAGrantChangesNothing() throws {
        let event = recordedEvent("ConsentGranted", Payloads.consentGranted(), position: 5)
        var once = ConsentStore()
        once.apply(try projection.changes(for: event))
        var twice = once
        twice.apply(try projection.changes(for: event))
        #expect(twice.consents.rows == once.consents.rows)
        #expect(twice.history.rows == once.history.rows)
        #expect(once.history(of: "consent-1").count == 1)
    }

    @Test func aGrantAfterAWithdrawalOfTheSameConsentPutsItBackInForce() throws {
        var store = ConsentStore()
        store.apply(
            try projection.changes(for: recordedEvent("ConsentGranted", Payloads.consentGranted(), position: 1))
        )
        store.apply(
            try projection.changes(for: recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn(), position: 2))
        )
        let regrant = Payloads.consentGranted().setting("grantedAt", to: "2026-04-01T00:00:00Z")
        store.apply(try projection.changes(for: recordedEvent("ConsentGranted", regrant, position: 3)))
        let row = try #require(store.consent("consent-1"))
        #expect(row["status"] == "granted")
        #expect(row["granted_at"] == "2026-04-01T00:00:00Z")
        #expect(row["withdrawn_at"] == .null)
        #expect(row["withdrawal_reason"] == .null)
        #expect(row["last_position"] == 3)
        #expect(
            store.history(of: "consent-1").mapValues { $0["change"] } == [1: "granted", 2: "withdrawn", 3: "granted"]
        )
    }
}
