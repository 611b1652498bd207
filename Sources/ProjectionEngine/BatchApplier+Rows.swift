import Postgres

/// A plan's row changes as statements: sent alone (`writeRows`), or with the batch's letters and checkpoint
/// in one round trip (`write(_:inTransactionOn:)`).
extension BatchApplier {
    /// Writes `plan`'s row changes now; call inside the transaction that records the outcome.
    static func writeRows(
        of plan: BatchPlan,
        layouts: [String: TableLayout],
        projection: String,
        writtenKeys: WrittenKeys? = nil,
        on conn: isolated Connection
    ) throws -> TableWriter.Counts {
        let statements = try rowStatements(of: plan, layouts: layouts, projection: projection, writtenKeys: writtenKeys)
        _ = try statements.write(on: conn)
        return statements.counts
    }

    /// `plan`'s row changes as statements, table by table, for the caller to send with others.
    static func rowStatements(
        of plan: BatchPlan,
        layouts: [String: TableLayout],
        projection: String,
        writtenKeys: WrittenKeys? = nil
    ) throws -> RowStatements {
        var all = RowStatements()
        for (table, rows) in plan.changes {
            let writer = TableWriter(
                layout: try layout(of: table, in: layouts, projection: projection),
                writtenKeys: writtenKeys
            )
            let statements = try writer.statements(for: rows)
            all.queries += statements.queries
            if !statements.copies.groups.isEmpty { all.copies.append((writer, statements.copies)) }
            all.counts.statements += statements.counts.statements
            all.counts.rows += statements.counts.rows
            all.counts.copied += statements.counts.copied
        }
        return all
    }

    /// A plan's row statements, and the rows each table copies.
    struct RowStatements {
        var queries: [Query] = []
        var copies: [(writer: TableWriter, rows: ShapeGroups)] = []
        var counts = TableWriter.Counts()

        /// Copies the rows known absent (`WrittenKeys`; their keys are none of `queries`', so first), then
        /// runs `queries` and `then` in one round trip; returns those statements' results.
        func write(then: [Query] = [], on conn: isolated Connection) throws -> [QueryResult] {
            for (writer, rows) in copies { try writer.copy(rows, on: conn) }
            return try conn.pipeline(queries + then)
        }
    }
}
