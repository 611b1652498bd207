import ArgumentParser
import Foundation
import ProjectionEngine

struct BuildWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-worker",
        abstract: "Works on the partitions of shared rebuilds (`projector rebuild --partitions N`) until none is left.",
        discussion: """
            Claims one partition at a time through a lease renewed every second, builds it into every read \
            model of its rebuild up to where the log ended when the rebuild started, and claims the next. \
            Start as many as the database can take, on any machines, with the same build of projector as the \
            rebuild's (a worker refuses a build of other code). A worker that dies or freezes loses its lease \
            after a few seconds and another (or the rebuild's own process) resumes its partition from its \
            checkpoint. Exits 0 when no partition is left; `projector status` shows partitions and owners.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Wait up to this many seconds for a shared rebuild to start (0 to 86400).",
            valueName: "seconds"
        )
    )
    var wait = 0

    @OptionGroup var page: PageOptions

    func validate() throws {
        if !(0...86_400).contains(wait) { throw ValidationError("--wait must be between 0 and 86400 seconds") }
    }

    func run() async throws {
        try await global.checkCluster()
        var configuration = RunnerConfiguration()
        page.apply(to: &configuration)
        var worker = PartitionWorker(
            projections: AllProjections.all,
            databaseURL: global.databaseURL,
            configuration: configuration,
            logger: global.makeLogger()
        )
        worker.waitForWork = .seconds(wait)
        let summary = SummaryBox()
        let finished = try await cancellableOnSignal { [worker] in
            await summary.set(try await worker.run())
            return !Task.isCancelled
        }
        let done = await summary.value
        print("build-worker: \(done.claims) partitions claimed, \(done.events) events applied")
        guard finished else { throw ExitCode(130) }
    }

    /// The worker's summary, set from the cancellable task.
    private actor SummaryBox {
        var value = PartitionWorker.Summary()
        func set(_ summary: PartitionWorker.Summary) { value = summary }
    }
}
