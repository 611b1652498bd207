import ArgumentParser
import Migrations
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Creates or upgrades the event log and the projector's own schemas.",
        discussion:
            "Idempotent: applies only the migrations the database lacks, recorded in projector.schema_migrations."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let applied = try await global.withConnection { conn in try await Migrations.apply(on: conn) }
        if applied.isEmpty {
            print("database is up to date")
        } else {
            for migration in applied { print("applied \(migration.version)_\(migration.name)") }
        }
    }
}
