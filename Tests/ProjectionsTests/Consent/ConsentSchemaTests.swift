import ConsentProjection
import Foundation
import ProjectionContract
import ProjectionCore
import Testing

/// The consent read model's DDL and its agreement with the contract and with the rows written.
@Suite("Consent: schema.sql")
struct ConsentSchemaTests {
    private let projection = ConsentProjection()

    /// The column names declared in `CREATE TABLE <table> (…)`, constraints left out.
    func declaredColumns(of table: String) throws -> [String] {
        let sql = projection.schemaSQL
        let start = try #require(sql.range(of: "CREATE TABLE \(table) ("))
        let end = try #require(sql.range(of: "\n);", range: start.upperBound..<sql.endIndex))
        return sql[start.upperBound..<end.lowerBound]
            .split(separator: "\n")
            .compactMap { line in line.split(separator: " ").first.map(String.init) }
            .filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } }
    }

    /// The row `event` writes whole into `table`.
    func writtenColumns(_ event: RecordedEvent, into table: String) throws -> Set<String> {
        let change = try #require(try projection.changes(for: event).first { $0.table == table })
        switch change.kind {
        case .insert(let columns), .upsert(let columns): return Set(columns.keys)
        case .update, .delete, .requireExisting:
            Issue.record("\(table) is not written whole")
            return []
        }
    }

    @Test func usesUnqualifiedNames() {
        let sql = projection.schemaSQL
        #expect(sql.contains("CREATE TABLE consents ("))
        #expect(sql.contains("CREATE TABLE consent_history ("))
        #expect(!sql.contains("consent.") && !sql.contains("public."))
        #expect(!sql.localizedCaseInsensitiveContains("IF NOT EXISTS"))
        #expect(!sql.localizedCaseInsensitiveContains("SET search_path"))
    }

    @Test(arguments: [("consents", 13), ("consent_history", 12)])
    func commentsOnEveryTableAndColumn(_ table: String, _ count: Int) throws {
        let columns = try declaredColumns(of: table)
        #expect(columns.count == count)
        #expect(projection.schemaSQL.contains("COMMENT ON TABLE \(table) IS"))
        for column in columns {
            #expect(projection.schemaSQL.contains("COMMENT ON COLUMN \(table).\(column) IS"), "\(column)")
        }
    }

    @Test func commentsOnTheViewItsColumnsAndTheFunction() throws {
        let sql = projection.schemaSQL
        #expect(sql.contains("COMMENT ON VIEW current_consents IS"))
        for column in try declaredColumns(of: "consents") {
            #expect(sql.contains("COMMENT ON COLUMN current_consents.\(column) IS"), "\(column)")
        }
        #expect(sql.contains("COMMENT ON FUNCTION may_view(text, text, text, text, timestamptz) IS"))
    }

    @Test func mayViewHasASQLStandardBodySoItKeepsItsOwnGenerationsTable() {
        let sql = projection.schemaSQL
        #expect(
            sql.contains(") RETURNS boolean\n    LANGUAGE sql STABLE PARALLEL SAFE\nBEGIN ATOMIC\n    SELECT EXISTS (")
        )
        #expect(!sql.contains("$$"))
        #expect(sql.contains("        FROM consents\n"))
    }

    @Test func creatingEventsWriteEveryColumnButTheKey() throws {
        let granted = recordedEvent("ConsentGranted", Payloads.consentGranted())
        let withdrawn = recordedEvent("ConsentWithdrawn", Payloads.consentWithdrawn())
        let consents = Set(try declaredColumns(of: "consents")).subtracting(["consent_id"])
        let history = Set(try declaredColumns(of: "consent_history")).subtracting(["consent_id", "global_position"])
        #expect(try writtenColumns(granted, into: "consents") == consents)
        #expect(try writtenColumns(granted, into: "consent_history") == history)
        #expect(try writtenColumns(withdrawn, into: "consent_history") == history)
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
