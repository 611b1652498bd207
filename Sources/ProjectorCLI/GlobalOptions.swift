import ArgumentParser
import Foundation
import Logging
import Postgres
import ProjectionEngine

/// Options every database command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "PostgreSQL conninfo or postgres:// URL. Default: DATABASE_URL, else libpq's PG* defaults.",
            valueName: "url"
        )
    )
    var database: String?

    @Option(
        name: .long,
        help: "trace, debug, info, notice, warning, error or critical. Default: LOG_LEVEL, else info."
    )
    var logLevel: String?

    /// The conninfo handed to libpq untouched; nil lets libpq apply its defaults.
    var databaseURL: String? {
        database ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        if let level = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"],
            Logger.Level(rawValue: level) == nil
        {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The process's logger, writing structured lines to standard error (never into a progress bar).
    func makeLogger() -> Logger {
        LoggingSystem.bootstrap { label in BarAwareLogHandler(label: label) }
        var logger = Logger(label: "projector")
        let level = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }

    /// Runs `body` on a session of its own, closed however `body` ends; a failure to connect or to check the
    /// database becomes one clear line and exit code 1.
    ///
    /// Every command connects here, so every one refuses a database restored from another cluster
    /// until the remedy is applied (see `ClusterCheck`): new events would never be projected.
    func withConnection<T>(
        applicationName: String = "projector",
        _ body: (Connection) async throws -> T
    ) async throws -> T {
        let conn: Connection
        do {
            conn = try await Connection.connect(to: databaseURL, applicationName: applicationName)
        } catch {
            throw CommandFailure("cannot connect to PostgreSQL: \(error)")
        }
        return try await conn.closing { conn in
            do {
                try await ClusterCheck.check(on: conn)
            } catch let restored as RestoredClusterError {
                throw CommandFailure("\(restored)")
            } catch {
                throw CommandFailure("cannot check the database: \(error)")
            }
            return try await body(conn)
        }
    }

    /// Refuses a restored database (see `withConnection`), for commands whose engine opens its own connections.
    func checkCluster() async throws {
        try await withConnection { _ in }
    }
}

/// A command failed in a way the user can act on: printed as one line, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes `text` to standard error.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}
