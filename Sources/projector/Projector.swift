import ArgumentParser

/// The projector: keeps the patient record's PostgreSQL read models up to date from its event log.
struct Projector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projector",
        abstract: "Keeps the patient record's PostgreSQL read models up to date from its event log.",
        discussion: """
            The database is --database URL, else DATABASE_URL, else libpq's own defaults (PGHOST, PGPORT, \
            PGUSER, PGPASSWORD, PGDATABASE, ~/.pgpass, service files), exactly as psql resolves them. \
            LOG_LEVEL sets the log level when --log-level is not given.
            """,
        subcommands: [
            MigrateCommand.self, RunCommand.self, StatusCommand.self, AppendCommand.self, ImportCommand.self,
            GenerateCommand.self, LogCommand.self, DeadLettersCommand.self, PseudonymKeyCommand.self,
            RebuildCommand.self, VerifyCommand.self, PauseCommand.self, ResumeCommand.self, ResetCommand.self,
            PolicyCommand.self, BenchCommand.self,
        ]
    )
}

/// The process's entry point: the arena cap, then the command line.
@main
enum Main {
    static func main() async {
        MallocArenas.limit()
        await Projector.main()
    }
}
