import ArgumentParser
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine
import UnixSignals

struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuilds read models from the log into new generations and swaps them in, without downtime.",
        discussion: """
            The new generation is built in schema NAME__rebuild while the live one keeps serving and a running \
            `projector run` keeps it up to date. Once caught up, one short transaction applies the last few \
            events, renames the schemas (readers keep the name: timeline.entries stays timeline.entries), \
            hands over the checkpoint and dead letters and recreates the reporting views; the runner goes on \
            in the new tables. The old generation is then dropped, or kept as NAME__retired_<time> with \
            --keep-old. Ctrl-C cancels: the partial build is dropped and the live generation is untouched.

            Several read models (or --all) are rebuilt together in one process: the log is read and decoded \
            once for all of them, and each new generation is written on a session of its own, then swapped in \
            on its own. One that fails does not stop the others; the exit status is 1 if any failed.

            With --partitions N the build is shared: the patients are split into N partitions (a merged \
            patient's records stay in one), and this process and any `projector build-worker` started against \
            the same database, on any machine, each claim a partition at a time through a lease until all are \
            built up to where the log ended when the rebuild started. A worker that dies or freezes loses its \
            lease after a few seconds and another resumes its partition. This process then builds the rest of \
            the log, the indexes, and swaps, once. If this process dies, run the same rebuild again: it resumes.

            With --as-of TIME|POSITION --into SCHEMA, builds the read model as it was at that point of the log \
            in SCHEMA instead, for audits; nothing is swapped. POSITION is xid/position (as `projector status` \
            prints it) or a global position; TIME is when events were recorded, e.g. 2026-03-01T09:00:00Z.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The read models to rebuild (one with --as-of or --into).")
    var projections: [String] = []

    @Flag(name: .long, help: "Rebuild every read model.")
    var all = false

    @Flag(name: .long, help: "Keep the replaced generation as NAME__retired_<time> instead of dropping it.")
    var keepOld = false

    @Option(
        name: .long,
        help: ArgumentHelp("Build as the log was at this time or position (needs --into).", valueName: "time|position")
    )
    var asOf: String?

    @Option(name: .long, help: "Build into this new schema instead of swapping (with --as-of, or as of now).")
    var into: String?

    @Flag(name: .long, help: "Progress and the result as JSON lines on standard output.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Share the build in this many partitions of the patients with `projector build-worker` processes (1 to 1024).",
            valueName: "n"
        )
    )
    var partitions = 1

    @OptionGroup var page: PageOptions

    func validate() throws {
        if all && !projections.isEmpty { throw ValidationError("give read models or --all, not both") }
        if !all && projections.isEmpty { throw ValidationError("name the read models to rebuild, or give --all") }
        if Set(projections).count != projections.count { throw ValidationError("a read model is named twice") }
        if into != nil && (all || projections.count != 1) {
            throw ValidationError("--into builds one read model: name exactly one")
        }
        if asOf != nil && into == nil {
            throw ValidationError("--as-of needs --into SCHEMA: an as-of copy is never swapped in")
        }
        if let into {
            guard into.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) != nil else {
                throw ValidationError("--into must be a lowercase schema name (letters, digits, _)")
            }
            if let problem = Generation.auditSchemaProblem(into, projections: AllProjections.all.map(\.name)) {
                throw ValidationError("--into must be a new schema: \(problem)")
            }
        }
        if keepOld && into != nil { throw ValidationError("--keep-old applies to a swap, not to --into") }
        if !(1...1024).contains(partitions) { throw ValidationError("--partitions must be between 1 and 1024") }
        if partitions > 1 && into != nil { throw ValidationError("--partitions applies to a rebuild, not to --into") }
    }

    func run() async throws {
        let selected = all ? AllProjections.all : try AllProjections.select(projections)
        try await global.checkCluster()
        let logger = global.makeLogger()
        var configuration = RunnerConfiguration()
        page.apply(to: &configuration)
        if let into {
            let report = ProgressReport(label: selected[0].name, json: json)
            let finished = try await cancellableOnSignal { [configuration] in
                try await copy(selected[0], into: into, configuration: configuration, report: report, logger: logger)
            }
            guard finished else {
                await report.finish()
                printError("\(selected[0].name): copy cancelled and dropped")
                throw ExitCode(130)
            }
            return
        }
        // Side by side, bars would overwrite each other: one line per read model every few seconds instead.
        let reports = selected.map { ProgressReport(label: $0.name, json: json, bar: selected.count == 1) }
        let rebuilds = zip(selected, reports).map { projection, report in
            makeRebuild(projection, configuration: configuration, report: report, logger: logger)
        }
        let outcomes = Outcomes()
        let finished = try await cancellableOnSignal {
            for (name, result) in await Rebuild.runAll(rebuilds) {
                switch result {
                case .success(.swapped(let swapped)): await outcomes.set(name, .swapped(swapped))
                case .success(.stopped), .success(.notNeeded): await outcomes.set(name, .cancelled)
                case .failure(let error): await outcomes.set(name, Task.isCancelled ? .cancelled : .failed("\(error)"))
                }
            }
            return await !outcomes.anyCancelled
        }
        for report in reports { await report.finish() }
        var failed = false
        for projection in selected {
            switch await outcomes.get(projection.name) {
            case .swapped(let result):
                if json {
                    printJSON(Swapped(event: "swapped", projection: projection.name, result: result))
                } else {
                    print(
                        "\(projection.name): new generation live at \(result.position), \(result.eventsSeen) events, "
                            + "\(result.deadLetters) dead letters parked; swap held its lock "
                            + String(format: "%.0f ms", result.lockMilliseconds)
                            + (result.keptOldSchema.map { "; old generation kept as \($0)" }
                                ?? "; old generation dropped")
                    )
                }
            case .failed(let message):
                failed = true
                printError("rebuild of \(projection.name) failed: \(message)")
            case .cancelled, nil:
                printError("\(projection.name): rebuild cancelled; the live generation is untouched")
            }
        }
        guard finished else { throw ExitCode(130) }
        if failed { throw ExitCode.failure }
    }

    /// What became of one read model's rebuild.
    enum RebuildResult: Sendable {
        case swapped(GenerationSwap.Result)
        case failed(String)
        case cancelled
    }

    /// The results of the rebuilds.
    actor Outcomes {
        private var results: [String: RebuildResult] = [:]
        func set(_ name: String, _ result: RebuildResult) { results[name] = result }
        func get(_ name: String) -> RebuildResult? { results[name] }
        var anyCancelled: Bool { results.values.contains { if case .cancelled = $0 { true } else { false } } }
    }

    /// A rebuild of `projection` and swap, as this command's options ask.
    private func makeRebuild(
        _ projection: any Projection,
        configuration: RunnerConfiguration,
        report: ProgressReport,
        logger: Logger
    ) -> Rebuild {
        var rebuild = Rebuild(
            projection: projection,
            databaseURL: global.databaseURL,
            configuration: configuration,
            logger: logger
        )
        rebuild.keepOld = keepOld
        rebuild.discardWhenStopped = true
        rebuild.waitForOtherRebuild = false
        rebuild.partitions = partitions
        rebuild.onProgress = { progress in await report.show(progress) }
        return rebuild
    }

    /// Builds an as-of copy in `schema`; false when cancelled (the partial copy is dropped).
    private func copy(
        _ selected: any Projection,
        into schema: String,
        configuration: RunnerConfiguration,
        report: ProgressReport,
        logger: Logger
    ) async throws -> Bool {
        try await global.withConnection { conn in
            try await copy(
                selected,
                into: schema,
                configuration: configuration,
                report: report,
                logger: logger,
                on: conn
            )
        }
    }

    private func copy(
        _ selected: any Projection,
        into schema: String,
        configuration: RunnerConfiguration,
        report: ProgressReport,
        logger: Logger,
        on conn: Connection
    ) async throws -> Bool {
        let until: LogPosition
        do {
            if let asOf {
                until = try await LogPositions.resolve(asOf, on: conn)
            } else {
                until = try await LogPositions.head(on: conn)
            }
        } catch {
            throw CommandFailure("--as-of: \(error)")
        }
        let build = Build(projection: selected, schema: schema, purpose: .asOf, until: until)
        do {
            try await build.create(on: conn)
        } catch {
            throw CommandFailure("\(error)")
        }
        let finished = try await build.run(
            databaseURL: global.databaseURL,
            configuration: configuration,
            logger: logger,
            onProgress: { progress in await report.show(progress) }
        )
        await report.finish()
        guard finished else {
            try await build.discard(on: conn)
            return false
        }
        let note = "\(selected.name) as of log position \(until), built by projector rebuild --as-of"
        try await conn.execute(
            Query(unsafeSQL: "COMMENT ON SCHEMA \(quoteIdentifier(schema)) IS \(quoteLiteral(note))")
        )
        if json {
            printJSON(Copied(event: "built", projection: selected.name, schema: schema, asOf: until.description))
        } else {
            print("\(selected.name): built in schema \(schema) as of log position \(until)")
        }
        return true
    }

    private struct Swapped: Encodable {
        var event: String
        var projection: String
        var result: GenerationSwap.Result
    }

    private struct Copied: Encodable {
        var event: String
        var projection: String
        var schema: String
        var asOf: String
    }
}

/// Runs `body`, cancelling it on SIGINT or SIGTERM; returns its result, or false when a signal came first.
func cancellableOnSignal(_ body: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
    let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
    return try await withThrowingTaskGroup(of: Bool?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            for await _ in signals { return nil }
            return nil
        }
        // The first to finish cancels the other; the body's answer counts even after a signal, and the
        // group waits for its clean-up (dropping a partial build) before returning.
        var result: Bool?
        for try await value in group {
            if let value { result = value }
            group.cancelAll()
        }
        return result ?? false
    }
}
