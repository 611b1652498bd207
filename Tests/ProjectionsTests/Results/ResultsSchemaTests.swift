import Foundation
import ProjectionCore
import ResultsProjection
import Testing

/// The results read model's DDL, its comments, and its agreement with the rows the projection writes.
@Suite("Results: schema.sql")
struct ResultsSchemaTests {
    private let results = ResultsProjection()

    /// The column names declared in `CREATE TABLE <table> (…)`.
    private func declaredColumns(of table: String) throws -> [String] {
        let sql = results.schemaSQL
        let start = try #require(sql.range(of: "CREATE TABLE \(table) ("))
        let end = try #require(sql.range(of: "\n);", range: start.upperBound..<sql.endIndex))
        return sql[start.upperBound..<end.lowerBound]
            .split(separator: "\n")
            .compactMap { line in line.split(separator: " ").first.map(String.init) }
            .filter { $0.allSatisfy { $0.isLowercase || $0 == "_" } }
    }

    /// Every table the DDL creates, in order.
    private var createdTables: [String] {
        results.schemaSQL.split(separator: "\n")
            .filter { $0.hasPrefix("CREATE TABLE ") }
            .compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
    }

    @Test func createsTheDeclaredTablesWithUnqualifiedNames() {
        #expect(createdTables == results.tables.map(\.name))
        for table in createdTables {
            #expect(!results.schemaSQL.contains("results.\(table)"), "\(table)")
        }
        #expect(!results.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test(arguments: [("lab_results", 29), ("orders", 12), ("result_history", 16)])
    func commentsOnEveryTableAndEveryColumn(_ table: String, _ count: Int) throws {
        let columns = try declaredColumns(of: table)
        #expect(columns.count == count)
        #expect(results.schemaSQL.contains("COMMENT ON TABLE \(table) IS"))
        for column in columns {
            #expect(results.schemaSQL.contains("COMMENT ON COLUMN \(table).\(column) IS"), "\(table).\(column)")
        }
    }

    @Test func declaresTheKeysOfTables() throws {
        #expect(try declaredColumns(of: "lab_results").first == "result_id")
        #expect(try declaredColumns(of: "orders").first == "order_id")
        #expect(results.schemaSQL.contains("PRIMARY KEY (result_id, global_position)"))
    }

    @Test func creatingEventsWriteEveryColumnButTheKey() throws {
        let creators: [(RecordedEvent, String, Set<String>)] = [
            (recordedEvent("TestResultRecorded", Payloads.testResultRecorded()), "lab_results", ["result_id"]),
            (recordedEvent("TestOrdered", Payloads.testOrdered()), "orders", ["order_id"]),
            (
                recordedEvent("TestResultRecorded", Payloads.testResultRecorded()), "result_history",
                ["result_id", "global_position"]
            ),
            (
                recordedEvent("TestResultAmended", Payloads.testResultAmended()), "result_history",
                ["result_id", "global_position"]
            ),
            (
                recordedEvent("TestResultEnteredInError", Payloads.testResultEnteredInError()), "result_history",
                ["result_id", "global_position"]
            ),
        ]
        for (event, table, key) in creators {
            let expected = Set(try declaredColumns(of: table)).subtracting(key)
            let change = try #require(try results.changes(for: event).first { $0.table == table })
            switch change.kind {
            case .insert(let row), .upsert(let row):
                #expect(Set(row.keys) == expected, "\(event.eventType) → \(table)")
            case .update, .delete, .requireExisting:
                Issue.record("\(event.eventType) does not create its \(table) row")
            }
        }
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
