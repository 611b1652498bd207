import Foundation
import Postgres

/// The `reporting` schema's views, one script per read model (`sql/reporting/<name>.sql`).
///
/// A view names its tables by identity, not by name, so the views are (re)created whenever their
/// read model's tables are installed or replaced; each script drops and creates its own views.
public enum ReportingViews {
    /// The script for the read model `projection`, or nil when it has no reporting views.
    public static func script(for projection: String) throws -> String? {
        guard let folder = Bundle.module.url(forResource: "reporting", withExtension: nil) else {
            throw MigrationError(message: "the reporting folder is missing from the build")
        }
        let file = folder.appendingPathComponent("\(projection).sql")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try String(contentsOf: file, encoding: .utf8)
    }

    /// Creates or recreates the reporting views of `projections`, in one transaction.
    ///
    /// - Returns: the read models that have reporting views.
    @discardableResult
    public static func install(for projections: [String], on connection: Connection) async throws -> [String] {
        let scripts = try projections.compactMap { name in try script(for: name).map { (name, $0) } }
        try await connection.withTransaction { conn in
            // One installer at a time: two `projector run`s starting together would race on DROP/CREATE.
            try conn.execute("SELECT pg_advisory_xact_lock(\(Migrations.lockKey))")
            for (name, sql) in scripts {
                do {
                    try conn.executeScript(sql)
                } catch {
                    throw MigrationError(message: "reporting views of \(name) failed: \(error)")
                }
            }
        }
        return scripts.map(\.0)
    }

    /// Recreates the reporting views of `projection` inside a transaction the caller holds (a rebuild's swap).
    ///
    /// - Returns: whether it has any.
    @discardableResult
    public static func install(for projection: String, inTransactionOn conn: isolated Connection) throws -> Bool {
        guard let sql = try script(for: projection) else { return false }
        try conn.execute("SELECT pg_advisory_xact_lock(\(Migrations.lockKey))")
        try conn.executeScript(sql)
        return true
    }
}
