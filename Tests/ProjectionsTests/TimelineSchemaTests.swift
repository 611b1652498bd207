import Foundation
import ProjectionCore
import Testing
import TimelineProjection

/// The timeline's DDL text. Its table, key, columns and comments are held to the catalog, and to the rows the
/// projection writes, with every read model's, by `ReadModelTests`' `TableLayoutTests`.
@Suite("Timeline: schema.sql")
struct TimelineSchemaTests {
    private let timeline = TimelineProjection()

    @Test func usesUnqualifiedNames() {
        #expect(!timeline.schemaSQL.contains("timeline.entries"))
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("IF NOT EXISTS"))
    }

    @Test func indexesServeNewestFirstPerPatientAndPerKindOverVisibleRows() {
        let sql = timeline.schemaSQL
        #expect(sql.contains("ON entries (nhs_number, occurred_at DESC, entry_id DESC)\n    WHERE visible_to_patient;"))
        #expect(
            sql.contains(
                "ON entries (nhs_number, kind, occurred_at DESC, entry_id DESC)\n    WHERE visible_to_patient;"
            )
        )
    }

    @Test func holdsNothingThatDependsOnTheClock() {
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("now()"))
        #expect(!timeline.schemaSQL.localizedCaseInsensitiveContains("current_timestamp"))
    }
}
