import Logging
import Migrations
import Postgres
import ProjectionCore
import ProjectionEngine

/// What `run` does before its runners start: each read model's tables, then the analysts' views of them.
enum ReadModelSetup {
    /// Installs (or checks) `projections` and recreates their reporting views.
    static func install(_ projections: [any Projection], global: GlobalOptions, logger: Logger) async throws {
        let conn = try await global.connect()
        do {
            for projection in projections {
                try await ProjectionCatalog.install(projection, on: conn)
            }
            let withViews = try await ReportingViews.install(for: projections.map(\.name), on: conn)
            logger.debug("reporting views installed", metadata: ["reporting.readModels": "\(withViews)"])
        } catch let changed as ProjectionChanged {
            await conn.close()
            throw CommandFailure("\(changed)")
        } catch {
            await conn.close()
            throw CommandFailure("cannot install the read models: \(error)")
        }
        await conn.close()
    }
}
