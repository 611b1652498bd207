import ArgumentParser
import ProjectionCore

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
            RebuildCommand.self, BuildWorkerCommand.self, VerifyCommand.self, PauseCommand.self, ResumeCommand.self,
            ResetCommand.self,
            PolicyCommand.self, BenchCommand.self,
        ]
    )
}

/// The process's entry point, for `projector` and for test builds that add read models of their own.
public enum ProjectorCLI {
    /// Keeps registers out of crash reports, caps malloc's arenas, then runs the command line with every read model of `ReadModels`, and `extra`.
    ///
    /// `extra` is for tests only: a build of the command line with a read model that misbehaves on purpose
    /// (`Tests/TrapdoorProjector`). The shipped `projector` passes none.
    public static func main(adding extra: [any Projection] = []) async {
        CrashReport.withoutRegisters()
        AllProjections.extra = extra
        MallocArenas.limit()
        await Projector.main()
    }
}
