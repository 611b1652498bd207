import Logging
import Postgres
import ProjectionCore

/// Installs a projection's tables in its schema and records the version and DDL hash they were built with.
public enum ProjectionCatalog {
    /// What `install` or `check` found.
    public enum Outcome: Sendable, Equatable {
        /// The schema was created now.
        case created
        /// The tables were there, built by this version and DDL.
        case unchanged
        /// The tables were built by another version or DDL: a new generation must be built.
        case changed(ProjectionChanged)
    }

    /// Creates `projection`'s schema and tables when missing, or checks that the installed ones match.
    ///
    /// - Throws: `ProjectionChanged` when the installed tables come from a later version: older code
    ///   must neither write into them nor rebuild them back.
    @discardableResult
    public static func install(_ projection: any Projection, on conn: Connection) async throws -> Outcome {
        let name = projection.name
        let version = projection.version
        let ddl = projection.schemaSQL
        let outcome = try await conn.withTransaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock(\(Int64(AdvisoryLock.installKey)))")
            if let found = try compare(name: name, version: version, ddl: ddl, on: conn) { return found }
            try createSchema(name, ddl: ddl, on: conn)
            try conn.execute(
                """
                INSERT INTO projector.projections (name, version, schema_hash, schema_name)
                VALUES (\(name), \(version), \(try hash(of: ddl, on: conn)), \(name))
                """
            )
            try conn.execute("INSERT INTO projector.checkpoints (projection) VALUES (\(name))")
            return Outcome.created
        }
        if case .changed(let change) = outcome, change.isDowngrade { throw change }
        return outcome
    }

    /// Whether the installed tables of `projection` match its code; `.created` is never returned.
    ///
    /// - Throws: `EngineError` when the projection is not installed.
    public static func check(_ projection: any Projection, on conn: Connection) async throws -> Outcome {
        let name = projection.name
        let version = projection.version
        let ddl = projection.schemaSQL
        let found = try await conn.withTransaction { conn in
            try compare(name: name, version: version, ddl: ddl, on: conn)
        }
        guard let found else { throw EngineError("projection \(name) is not installed; projector run installs it") }
        return found
    }

    /// The installed state against the code, or nil when nothing is installed.
    private static func compare(
        name: String,
        version: Int,
        ddl: String,
        on conn: isolated Connection
    ) throws -> Outcome? {
        let existing = try conn.query(
            "SELECT version, schema_hash FROM projector.projections WHERE name = \(name)"
        ).rows.first
        guard let existing else { return nil }
        let installedVersion = try existing.decode(Int.self, at: 0)
        let installedHash = try existing.decode(String.self, at: 1)
        let codeHash = try hash(of: ddl, on: conn)
        guard installedVersion == version, installedHash == codeHash else {
            return .changed(
                ProjectionChanged(
                    projection: name,
                    installedVersion: installedVersion,
                    codeVersion: version,
                    schemaChanged: installedHash != codeHash
                )
            )
        }
        return .unchanged
    }

    /// SHA-256 of `ddl`, in hex, as recorded in `projector.projections.schema_hash`.
    static func hash(of ddl: String, on conn: isolated Connection) throws -> String {
        try conn.query("SELECT encode(sha256(convert_to(\(ddl), 'UTF8')), 'hex')").rows[0].decode(String.self, at: 0)
    }

    /// Creates `schema` with `ddl`'s tables in it, writable by the writer role and, when `readableByAPI`,
    /// readable by the API role.
    ///
    /// Only generations that serve or will serve patients (live, a rebuild before its swap) are
    /// `readableByAPI`; an as-of audit copy or a verify scratch is not the API's to read.
    static func createSchema(
        _ schema: String,
        ddl: String,
        readableByAPI: Bool = true,
        on conn: isolated Connection
    ) throws {
        try conn.execute("CREATE SCHEMA \(identifier: schema)")
        try conn.execute("SET LOCAL search_path TO \(identifier: schema)")
        try conn.executeScript(ddl)
        try conn.execute("SET LOCAL search_path TO DEFAULT")
        if readableByAPI {
            try conn.execute("SELECT projector.grant_read_model(\(schema))")
        } else {
            try conn.execute("GRANT ALL ON SCHEMA \(identifier: schema) TO projector_writer")
            try conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA \(identifier: schema) TO projector_writer")
        }
    }
}

/// The installed tables were built by another version or DDL of the projection.
public struct ProjectionChanged: Error, Sendable, Equatable, CustomStringConvertible {
    /// The projection.
    public var projection: String
    /// The version recorded when the tables were built.
    public var installedVersion: Int
    /// The version of the running code.
    public var codeVersion: Int
    /// Whether schema.sql differs from the one the tables were built from.
    public var schemaChanged: Bool

    /// Whether the running code is older than the tables: it must not touch them.
    public var isDowngrade: Bool { codeVersion < installedVersion }

    /// The versions, for a log line.
    var metadata: Logger.Metadata {
        [
            "projection.installedVersion": "\(installedVersion)", LogKey.version: "\(codeVersion)",
            "projection.schemaChanged": "\(schemaChanged)",
        ]
    }

    public var description: String {
        if isDowngrade {
            return """
                projection \(projection) cannot run: its tables were built by version \(installedVersion), \
                this code is version \(codeVersion); run the newer version (or projector rebuild \(projection) \
                with this one, to go back deliberately)
                """
        }
        let what = schemaChanged ? "its schema.sql changed" : "its version changed"
        return """
            projection \(projection) changed: \(what) (tables built by version \(installedVersion), \
            code is version \(codeVersion)); it must be rebuilt from the log
            """
    }
}
