import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// The shared part of a rebuild started with partitions (`Rebuild.partitions`): plans the run, works on it
/// beside any other workers, and once every partition has reached the target moves each build's own
/// checkpoint there, so the build goes on as any build does (the rest of the log, its indexes, ANALYZE and
/// the swap, once).
enum PartitionedBuild {
    /// Brings `builds` to their run's target through partitions and returns how each ended; builds not
    /// shared (one resumed from a single process's work) are absent, and go on alone.
    ///
    /// A build whose partitions were left by a stopped rebuild resumes them (a failed partition is tried
    /// again); a build not written yet is planned into a new run of `partitions`.
    static func run(
        _ builds: [Build],
        partitions: Int,
        databaseURL: String?,
        configuration: RunnerConfiguration,
        logger: Logger
    ) async -> [String: Build.Ending] {
        let schemas = builds.map(\.schema)
        do {
            return try await Connection.withConnection(to: databaseURL, applicationName: "projector:shared-build") {
                conn in
                let runs = try await prepare(schemas, partitions: partitions, on: conn, logger: logger)
                guard !runs.isEmpty else { return [:] }
                for run in runs {
                    var worker = PartitionWorker(
                        projections: builds.map(\.projection),
                        databaseURL: databaseURL,
                        configuration: configuration,
                        logger: logger
                    )
                    worker.run = run
                    let summary = try await worker.run()
                    logger.info(
                        "shared build: this process's partitions done",
                        metadata: ["partition.claims": "\(summary.claims)", "partition.events": "\(summary.events)"]
                    )
                }
                return try await complete(schemas, on: conn)
            }
        } catch {
            let ending: Build.Ending = Task.isCancelled ? .stopped : .failed(error)
            return Dictionary(uniqueKeysWithValues: schemas.map { ($0, ending) })
        }
    }

    /// The runs `schemas` are shared in: those left to resume, and a new one for builds not written yet.
    private static func prepare(
        _ schemas: [String],
        partitions: Int,
        on conn: Connection,
        logger: Logger
    ) async throws -> [UUID] {
        let (left, fresh) = try await conn.withTransaction { conn in
            // Runs none of whose builds is left (dropped, or completed by a process that died after).
            try forgetEmptyRuns(on: conn)
            // A new attempt tries failed partitions again.
            try conn.execute(
                "UPDATE projector.build_partitions SET failure = NULL WHERE schema_name = ANY(\(schemas)) AND failure IS NOT NULL"
            )
            try conn.execute(
                """
                UPDATE projector.partition_leases l SET done = false
                WHERE done AND EXISTS (SELECT 1 FROM projector.build_partitions p
                                       WHERE p.run = l.run AND p.partition = l.partition AND NOT p.done)
                """
            )
            let left = try conn.query(
                "SELECT DISTINCT run::text FROM projector.build_partitions WHERE schema_name = ANY(\(schemas))"
            ).rows.compactMap { UUID(uuidString: try $0.decode(String.self, at: 0)) }
            let fresh = try conn.query(
                """
                SELECT b.schema_name FROM projector.builds b
                WHERE b.schema_name = ANY(\(schemas)) AND b.global_position = 0 AND b.events_seen = 0
                  AND NOT EXISTS (SELECT 1 FROM projector.build_partitions p WHERE p.schema_name = b.schema_name)
                ORDER BY b.schema_name
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            return (left, fresh)
        }
        if !left.isEmpty { logger.notice("resuming a shared build", metadata: ["partition.runs": "\(left.count)"]) }
        guard !fresh.isEmpty else { return left }
        let planned = try await PartitionPlan.create(for: fresh, partitions: partitions, on: conn)
        logger.info(
            "shared build planned",
            metadata: [
                "partitions": "\(partitions)", "build.schemas": "\(fresh.joined(separator: ","))",
                "partition.target": "\(planned.target)",
            ]
        )
        return left + [planned.run]
    }

    /// Moves the checkpoint of each build whose partitions are all done to its run's target and forgets the
    /// partitions; a build with a failed partition fails, one with partitions left stopped.
    private static func complete(_ schemas: [String], on conn: Connection) async throws -> [String: Build.Ending] {
        try await conn.withTransaction { conn in
            var endings: [String: Build.Ending] = [:]
            let rows = try conn.query(
                """
                SELECT p.schema_name, count(*) FILTER (WHERE NOT p.done), min(p.failure), sum(p.events_seen)::bigint,
                       r.target_transaction_id::text, r.target_position
                FROM projector.build_partitions p JOIN projector.partitioned_runs r ON r.run = p.run
                WHERE p.schema_name = ANY(\(schemas))
                GROUP BY p.schema_name, r.target_transaction_id, r.target_position
                """
            ).rows
            for row in rows {
                let schema = try row.decode(String.self, at: 0)
                if let failure = try row.decode(String?.self, at: 2) {
                    endings[schema] = .failed(EngineError("a partition of the build in \(schema) failed: \(failure)"))
                    continue
                }
                guard try row.decode(Int64.self, at: 1) == 0 else {
                    endings[schema] = .stopped
                    continue
                }
                let target = try row.logPosition(at: 4)
                try conn.execute(
                    """
                    UPDATE projector.builds
                    SET transaction_id = \(target.transactionID), global_position = \(target.globalPosition),
                        events_seen = events_seen + \(try row.decode(Int64.self, at: 3)), updated_at = now()
                    WHERE schema_name = \(schema)
                    """
                )
                try conn.execute("DELETE FROM projector.build_partitions WHERE schema_name = \(schema)")
                endings[schema] = .caughtUp
            }
            try forgetEmptyRuns(on: conn)
            return endings
        }
    }

    /// Deletes the runs none of whose builds has partitions left, with their leases and placed streams.
    private static func forgetEmptyRuns(on conn: isolated Connection) throws {
        try conn.execute(
            """
            DELETE FROM projector.partitioned_runs r
            WHERE NOT EXISTS (SELECT 1 FROM projector.build_partitions p WHERE p.run = r.run)
            """
        )
    }
}
