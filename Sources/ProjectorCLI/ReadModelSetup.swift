import Logging
import Migrations
import Postgres
import ProjectionCore

/// What `run` does once its read models' tables are installed: the analysts' views of them.
enum ReadModelSetup {
    /// Recreates the reporting views of `projections` on `conn`.
    static func installViews(for projections: [any Projection], on conn: Connection, logger: Logger) async throws {
        let withViews = try await ReportingViews.install(for: projections.map(\.name), on: conn)
        logger.debug("reporting views installed", metadata: ["reporting.readModels": "\(withViews)"])
    }
}
