import Postgres
import ProjectionCore

/// Installs a projection's tables in its schema and records the version and DDL hash they were built with.
public enum ProjectionCatalog {
    /// What `install` found.
    public enum Outcome: Sendable, Equatable {
        /// The schema was created now.
        case created
        /// The tables were there, built by this version and DDL.
        case unchanged
    }

    /// Creates `projection`'s schema and tables when missing, or checks that the installed ones match.
    ///
    /// - Throws: `ProjectionChanged` when the installed tables were built by another version or DDL:
    ///   new code must not write into old tables.
    @discardableResult
    public static func install(_ projection: any Projection, on conn: Connection) async throws -> Outcome {
        let name = projection.name
        let version = projection.version
        let ddl = projection.schemaSQL
        do {
            return try await install(name: name, version: version, ddl: ddl, on: conn)
        } catch let error as TransactionError {
            // A changed projection is an answer for ops, not a database failure: surface it as is.
            if let changed = error.underlying as? ProjectionChanged { throw changed }
            throw error
        }
    }

    private static func install(name: String, version: Int, ddl: String, on conn: Connection) async throws -> Outcome {
        try await conn.withTransaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock(\(Int64(AdvisoryLock.installKey)))")
            let hash = try conn.query("SELECT encode(sha256(convert_to(\(ddl), 'UTF8')), 'hex')").rows[0]
                .decode(String.self, at: 0)
            let existing = try conn.query(
                "SELECT version, schema_hash FROM projector.projections WHERE name = \(name)"
            ).rows.first
            if let existing {
                let installedVersion = try existing.decode(Int.self, at: 0)
                let installedHash = try existing.decode(String.self, at: 1)
                guard installedVersion == version, installedHash == hash else {
                    throw ProjectionChanged(
                        projection: name,
                        installedVersion: installedVersion,
                        codeVersion: version,
                        schemaChanged: installedHash != hash
                    )
                }
                return .unchanged
            }
            try conn.execute("CREATE SCHEMA \(identifier: name)")
            try conn.execute("SET LOCAL search_path TO \(identifier: name)")
            try conn.executeScript(ddl)
            try conn.execute("SET LOCAL search_path TO DEFAULT")
            try conn.execute("SELECT projector.grant_read_model(\(name))")
            try conn.execute(
                """
                INSERT INTO projector.projections (name, version, schema_hash, schema_name)
                VALUES (\(name), \(version), \(hash), \(name))
                """
            )
            try conn.execute("INSERT INTO projector.checkpoints (projection) VALUES (\(name))")
            return .created
        }
    }
}

/// The installed tables were built by another version or DDL of the projection.
public struct ProjectionChanged: Error, Sendable, CustomStringConvertible {
    /// The projection.
    public var projection: String
    /// The version recorded when the tables were built.
    public var installedVersion: Int
    /// The version of the running code.
    public var codeVersion: Int
    /// Whether schema.sql differs from the one the tables were built from.
    public var schemaChanged: Bool

    public var description: String {
        let what = schemaChanged ? "its schema.sql changed" : "its version changed"
        return """
            projection \(projection) cannot run: \(what) (tables built by version \(installedVersion), \
            code is version \(codeVersion)); the read model must be rebuilt from the log: \
            drop schema \(projection) and its rows in projector.projections, then run again
            """
    }
}
