import Foundation
import Migrations
import Postgres

/// A fresh, migrated database per test, cloned from a template so the suite runs in parallel.
///
/// The server comes from ONE environment variable, `PROJECTOR_TEST_DATABASE_URL` (a `postgres://`
/// URL to a database the tests may create databases from). `scripts/test` starts a throwaway
/// cluster and sets it. A missing variable fails the test: it is never a skip.
public enum TestDatabase {
    /// The environment variable naming the test server.
    public static let environmentVariable = "PROJECTOR_TEST_DATABASE_URL"

    /// The admin URL from the environment.
    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty else {
            throw TestDatabaseError(
                message: """
                    \(environmentVariable) is not set: these tests need a real PostgreSQL. \
                    Run scripts/test (it starts a throwaway cluster), or set \(environmentVariable) \
                    to a postgres:// URL of a server where the user may CREATE DATABASE.
                    """
            )
        }
        return url
    }

    /// `url` pointed at `database`.
    public static func url(_ url: String, database: String) throws -> String {
        try Conninfo.withDatabase(database, in: url)
    }

    private static let templateName = "projector_test_template"

    /// Creates the migrated template once per test process.
    private static let template = Task<Void, any Error> {
        let admin = try await Connection.connect(to: try serverURL(), applicationName: "projector-tests")
        // A template left by an older build may lack newer migrations: start from scratch each run.
        try await admin.execute("DROP DATABASE IF EXISTS \(identifier: templateName) WITH (FORCE)")
        try await admin.execute("CREATE DATABASE \(identifier: templateName)")
        let conn = try await Connection.connect(to: try url(try serverURL(), database: templateName))
        try await Migrations.apply(on: conn)
        await conn.close()
        await admin.close()
    }

    /// Runs `body` with the URL of a new migrated database, dropped afterwards.
    public static func withFreshDatabase<T: Sendable>(
        _ body: (_ url: String) async throws -> T
    ) async throws -> T {
        try await template.value
        let name = "projector_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await Connection.connect(to: try serverURL(), applicationName: "projector-tests")
        try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: templateName)")
        try await copyDatabasePrivileges(to: name, on: admin)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(try url(try serverURL(), database: name)))
        } catch {
            result = .failure(error)
        }
        try await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        await admin.close()
        return try result.get()
    }

    /// Gives the clone `name` the template's database-level privileges (GRANT … ON DATABASE), which the
    /// migrations set and a clone does not inherit, as migrating it would have. GRANT and REVOKE, not a
    /// catalog update, so that a test user who owns its databases without being a superuser may do it.
    private static func copyDatabasePrivileges(to name: String, on admin: Connection) async throws {
        let grants = try await admin.query(
            """
            SELECT a.grantee = 0, coalesce(r.rolname, ''), a.privilege_type
            FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
            WHERE d.datname = \(templateName)
            """
        ).rows
        // No explicit privileges: the clone's defaults are the template's.
        guard !grants.isEmpty else { return }
        try await admin.execute("REVOKE ALL ON DATABASE \(identifier: name) FROM PUBLIC")
        for grant in grants {
            let privilege = try grant.decode(String.self, at: 2)
            guard ["CONNECT", "CREATE", "TEMPORARY"].contains(privilege) else { continue }
            let grantee =
                try grant.decode(Bool.self, at: 0) ? "PUBLIC" : quoteIdentifier(try grant.decode(String.self, at: 1))
            try await admin.execute(
                Query(unsafeSQL: "GRANT \(privilege) ON DATABASE \(quoteIdentifier(name)) TO \(grantee)")
            )
        }
    }

    /// Runs `body` with a connection to a new migrated database, dropped afterwards.
    public static func withConnection<T: Sendable>(
        _ body: (_ connection: Connection, _ url: String) async throws -> T
    ) async throws -> T {
        try await withFreshDatabase { url in
            let connection = try await Connection.connect(to: url, applicationName: "projector-tests")
            do {
                let result = try await body(connection, url)
                await connection.close()
                return result
            } catch {
                await connection.close()
                throw error
            }
        }
    }
}

/// The test database could not be reached or set up.
public struct TestDatabaseError: Error, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String
    public var description: String { message }
}
