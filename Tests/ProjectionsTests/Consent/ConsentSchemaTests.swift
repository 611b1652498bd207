import ConsentProjection
import Foundation
import ProjectionContract
import ProjectionCore
import Testing

/// The consent read model's DDL text and its agreement with the contract. Its tables, keys, columns and
/// comments are held to the catalog, with every read model's, by `ReadModelTests`' `TableLayoutTests`.
@Suite("Consent: schema.sql")
struct ConsentSchemaTests {
    private let projection = ConsentProjection()

    @Test func usesUnqualifiedNames() {
        let sql = projection.schemaSQL
        #expect(!sql.contains("consent.") && !sql.contains("public."))
        #expect(!sql.localizedCaseInsensitiveContains("IF NOT EXISTS"))
        #expect(!sql.localizedCaseInsensitiveContains("SET search_path"))
    }

    @Test func mayViewHasASQLStandardBodySoItKeepsItsOwnGenerationsTable() {
        let sql = projection.schemaSQL
        #expect(
            sql.contains(") RETURNS boolean\n    LANGUAGE sql STABLE PARALLEL SAFE\nBEGIN ATOMIC\n    SELECT EXISTS (")
        )
        #expect(!sql.contains("$$"))
        #expect(sql.contains("        FROM consents\n"))
    }

    @Test func checksAcceptExactlyTheContractsVocabularies() {
        let sql = projection.schemaSQL
        func list(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }
        #expect(sql.contains("ARRAY[\(list(ConsentScope.allCases.map(\.rawValue)))]::text[]"))
        #expect(sql.contains("grantee_type IN (\(list(GranteeType.allCases.map(\.rawValue))))"))
        #expect(sql.contains("purpose IN (\(list(ConsentPurpose.allCases.map(\.rawValue))))"))
    }

    @Test func indexesAPatientsConsentsByGrantee() {
        #expect(projection.schemaSQL.contains("ON consents (nhs_number, grantee_type, grantee_id);"))
    }
}
