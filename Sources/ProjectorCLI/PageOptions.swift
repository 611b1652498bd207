import ArgumentParser
import ProjectionEngine

/// How much of the log `run`, `rebuild` and `verify` read, plan and write at once: a page ends at
/// `--batch-size` events or `--page-mib` of payload and metadata, whichever comes first.
struct PageOptions: ParsableArguments {
    @Option(name: .long, help: "Events per page, each page one transaction (a page also ends at --page-mib).")
    var batchSize = RunnerConfiguration().batchSize

    @Option(
        name: .customLong("page-mib"),
        help: ArgumentHelp(
            "The most MiB of payload and metadata a page holds, 1 to 1024 (an event larger than that is a page alone): what bounds memory when events are large.",
            valueName: "MiB"
        )
    )
    var pageMiB = RunnerConfiguration().pageBytes >> 20

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard (1...1024).contains(pageMiB) else { throw ValidationError("--page-mib must be 1 to 1024") }
    }

    /// Sets the page's bounds in `configuration`.
    func apply(to configuration: inout RunnerConfiguration) {
        configuration.batchSize = batchSize
        configuration.pageBytes = pageMiB << 20
    }
}
