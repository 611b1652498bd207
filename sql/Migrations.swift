import Foundation
import Postgres

/// One numbered SQL file of `sql/migrations`, applied once per database.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with.
    public var version: Int
    /// The file name without number and extension (`eventlog`).
    public var name: String
    /// The script.
    public var sql: String
}

/// The service's own schemas (`eventlog`, `projector`): the migrations shipped with this build and
/// the code that applies them.
public enum Migrations {
    /// Every migration in the bundle, ordered by version.
    public static func all() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "migrations", withExtension: nil) else {
            throw MigrationError(message: "the migrations folder is missing from the build")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        return try files.sorted().map { file in
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError(message: "migration file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }
    }

    /// Applies the migrations `connection`'s database lacks, all in one transaction, and returns them.
    ///
    /// Safe to run from several processes at once: an advisory lock serialises them, and each
    /// migration is recorded in `projector.schema_migrations` in the transaction that applies it.
    @discardableResult
    public static func apply(on connection: Connection) async throws -> [Migration] {
        let migrations = try all()
        return try await connection.withTransaction { conn in
            // Session-independent: the lock is released at COMMIT with everything else.
            try conn.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
            try conn.executeScript(
                """
                CREATE SCHEMA IF NOT EXISTS projector;
                CREATE TABLE IF NOT EXISTS projector.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                COMMENT ON TABLE projector.schema_migrations IS 'Migrations of sql/migrations applied to this database.';
                """
            )
            let applied = Set(
                try conn.query("SELECT version FROM projector.schema_migrations").rows.map {
                    try $0.decode(Int.self, at: 0)
                }
            )
            var done: [Migration] = []
            for migration in migrations where !applied.contains(migration.version) {
                do {
                    try conn.executeScript(migration.sql)
                } catch {
                    throw MigrationError(message: "migration \(migration.version)_\(migration.name) failed: \(error)")
                }
                try conn.execute(
                    "INSERT INTO projector.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))"
                )
                done.append(migration)
            }
            return done
        }
    }

    /// The advisory lock key that serialises migrators (an arbitrary constant: "projmigr").
    static let lockKey: Int64 = 0x7072_6F6A_6D69_6772
}

/// A migration could not be found or applied.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the migration.
    public var message: String
    public var description: String { message }
}
