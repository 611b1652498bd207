import Foundation
import ProjectionCore
import ResultsProjection
import Testing

/// The results read model's DDL text. Its tables, keys, columns and comments are held to the catalog, and to the
/// rows the projection writes, with every read model's, by `ReadModelTests`' `TableLayoutTests`.
@Suite("Results: schema.sql")
struct ResultsSchemaTests {
    private let results = ResultsProjection()

    @Test func namesItsTablesUnqualified() {
        for table in results.tables.map(\.name) {
            #expect(!results.schemaSQL.contains("results.\(table)"), "\(table)")
        }
        #expect(!results.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test func indexesServeAPatientsVisibleResultsNewestFirstAndAnOrdersResults() {
        let sql = results.schemaSQL
        #expect(
            sql.contains(
                "ON lab_results (nhs_number, resulted_at DESC, result_id DESC)\n    WHERE visible_to_patient;"
            )
        )
        #expect(sql.contains("ON lab_results (order_id);"))
    }

    @Test func holdsNothingThatDependsOnTheClock() {
        #expect(!results.schemaSQL.localizedCaseInsensitiveContains("now()"))
        #expect(!results.schemaSQL.localizedCaseInsensitiveContains("current_timestamp"))
    }
}
