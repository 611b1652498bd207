import ConsentProjection
import EventLog
import Postgres
import PostgresTestSupport
import Testing

/// `consent.may_view` on PostgreSQL, over the consents of `PatientJourney`: c1 lets organisation
/// W97001 see journal and results from 2026-01-01 until 2027-01-01; c2 let person C1234567 see the
/// journal from 2026-01-01 until it was withdrawn on 2026-03-01.
@Suite struct ConsentFunctionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var nhs = PatientJourney.nhs
        var granteeType = "organisation"
        var granteeID = "W97001"
        var scope = "journal"
        var at: String
        var allowed: Bool
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "granted, in force", at: "2026-06-01T00:00:00Z", allowed: true),
        Case(label: "before the grant", at: "2025-12-31T23:59:59Z", allowed: false),
        Case(label: "a second scope of the same consent", scope: "results", at: "2026-06-01T00:00:00Z", allowed: true),
        Case(label: "scope not granted", scope: "appointments", at: "2026-06-01T00:00:00Z", allowed: false),
        Case(label: "expired", at: "2027-01-01T00:00:00Z", allowed: false),
        Case(label: "just before expiry", at: "2026-12-31T23:59:59Z", allowed: true),
        Case(label: "another grantee", granteeID: "W00000", at: "2026-06-01T00:00:00Z", allowed: false),
        Case(label: "same id, other grantee type", granteeType: "role", at: "2026-06-01T00:00:00Z", allowed: false),
        Case(label: "another patient", nhs: "9000000009", at: "2026-06-01T00:00:00Z", allowed: false),
        Case(
            label: "before withdrawal",
            granteeType: "person",
            granteeID: "C1234567",
            at: "2026-02-28T23:59:59Z",
            allowed: true
        ),
        Case(
            label: "after withdrawal",
            granteeType: "person",
            granteeID: "C1234567",
            at: "2026-03-01T00:00:00Z",
            allowed: false
        ),
    ]

    @Test(arguments: cases)
    func mayView(_ c: Case) async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(PatientJourney.events)
            try await runUntilCaughtUp(ConsentProjection(), url: url)
            let allowed = try await conn.query(
                Query(
                    unsafeSQL: try apiQuery("consent_check"),
                    binds: [
                        PostgresBind(c.nhs), PostgresBind(c.granteeType), PostgresBind(c.granteeID),
                        PostgresBind(c.scope),
                        PostgresBind(text: c.at, type: 0),
                    ]
                )
            ).rows[0].decode(Bool.self, at: 0)
            #expect(allowed == c.allowed)
        }
    }

    /// Overlapping consents: a withdrawn one does not cancel another still in force for the same grantee.
    @Test func aWithdrawnConsentLeavesAnOverlappingOneInForce() async throws {
        try await TestDatabase.withConnection { conn, url in
            let nhs = PatientJourney.nhs
            try await LogWriter(connection: conn).appendMany([
                PatientJourney.e(
                    1,
                    "consent-\(nhs)",
                    "ConsentGranted",
                    #"""
                    {"consentId": "k1", "nhsNumber": "\#(nhs)", "grantee": {"type": "role", "id": "R8000"},
                     "scopes": ["results"], "purpose": "direct-care", "grantedAt": "2026-01-01T00:00:00Z"}
                    """#
                ),
                PatientJourney.e(
                    2,
                    "consent-\(nhs)",
                    "ConsentGranted",
                    #"""
                    {"consentId": "k2", "nhsNumber": "\#(nhs)", "grantee": {"type": "role", "id": "R8000"},
                     "scopes": ["results", "timeline"], "purpose": "research", "grantedAt": "2026-02-01T00:00:00Z"}
                    """#
                ),
                PatientJourney.e(
                    3,
                    "consent-\(nhs)",
                    "ConsentWithdrawn",
                    #"{"consentId": "k1", "nhsNumber": "\#(nhs)", "withdrawnAt": "2026-03-01T00:00:00Z"}"#
                ),
            ])
            try await runUntilCaughtUp(ConsentProjection(), url: url)
            func mayView(_ scope: String, _ at: String) async throws -> Bool {
                try await conn.query(
                    "SELECT consent.may_view(\(nhs), 'role', 'R8000', \(scope), \(at)::timestamptz)"
                ).rows[0].decode(Bool.self, at: 0)
            }
            #expect(try await mayView("results", "2026-01-15T00:00:00Z"))
            #expect(try await mayView("results", "2026-04-01T00:00:00Z"), "k2 still allows results")
            #expect(try await mayView("timeline", "2026-01-15T00:00:00Z") == false, "k2 not yet granted")
            #expect(try await mayView("timeline", "2026-04-01T00:00:00Z"))
        }
    }
}
