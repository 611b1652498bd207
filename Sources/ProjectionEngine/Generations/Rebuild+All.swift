import Logging
import Postgres
import ProjectionCore

extension Rebuild {
    /// Rebuilds several projections together and returns each one's outcome, or why it failed, by name.
    ///
    /// Their builds are brought up to the log's end by one run of the pipeline (`Build.runAll`: the log
    /// read and decoded once for all), then each swaps its new generation in on its own session as soon as
    /// that is done. Each rebuild keeps its own lock, build schema, swap and outcome: one that fails (its
    /// lock taken, its build or its swap failing) is reported as failed and the others go on.
    ///
    /// `rebuilds` must name different projections of one database, with one configuration and one number of
    /// partitions.
    public static func runAll(_ rebuilds: [Rebuild]) async -> [String: Result<Rebuild.Outcome, any Error>] {
        precondition(Set(rebuilds.map(\.projection.name)).count == rebuilds.count, "a projection is rebuilt twice")
        precondition(Set(rebuilds.map(\.databaseURL)).count <= 1, "rebuilds run together share a database")
        precondition(Set(rebuilds.map(\.partitions)).count <= 1, "rebuilds run together share their partitions")
        guard let first = rebuilds.first else { return [:] }
        do {
            // Each rebuild takes its lock, creates its build and swaps on one session of its own (the build
            // itself is written on sessions of `Build.runAll`). The swap runs there: a process frozen inside
            // it must not hold the live checkpoint row and the reporting views for ever, so the server ends
            // the session after `idleInTransactionTimeout`, rolling the swap back.
            return try await SessionPool.with(
                databaseURL: first.databaseURL,
                settings: first.configuration.swapSessionSettings,
                role: "rebuild"
            ) { sessions in
                await runAll(rebuilds, sessions: sessions)
            }
        } catch {
            return Dictionary(uniqueKeysWithValues: rebuilds.map { ($0.projection.name, .failure(error)) })
        }
    }

    private static func runAll(
        _ rebuilds: [Rebuild],
        sessions: SessionPool
    ) async -> [String: Result<Rebuild.Outcome, any Error>] {
        var outcomes: [String: Result<Rebuild.Outcome, any Error>] = [:]
        var builds: [String: Build] = [:]
        for (name, prepared) in await prepareAll(rebuilds, sessions: sessions) {
            switch prepared {
            case .success(.build(let build)): builds[name] = build
            case .success(.done(let outcome)): outcomes[name] = .success(outcome)
            case .failure(let error): outcomes[name] = .failure(error)
            }
        }
        var toBuild = rebuilds.compactMap { builds[$0.projection.name] }
        // Shared builds first reach their run's target through partitions; those that did go on alone.
        var shared: [String: Build.Ending] = [:]
        if let first = rebuilds.first, first.partitions > 1, !toBuild.isEmpty {
            shared = await PartitionedBuild.run(
                toBuild,
                partitions: first.partitions,
                databaseURL: first.databaseURL,
                configuration: first.configuration,
                logger: first.logger
            )
            toBuild.removeAll { build in
                guard let ending = shared[build.schema] else { return false }
                if case .caughtUp = ending { return false }
                return true
            }
        }
        var built = await buildAll(toBuild, of: rebuilds)
        for (schema, ending) in shared where built[schema] == nil { built[schema] = ending }
        let finished = await withTaskGroup(of: (String, Result<Rebuild.Outcome, any Error>).self) { group in
            for rebuild in rebuilds {
                let name = rebuild.projection.name
                guard let build = builds[name] else { continue }
                let ending = built[build.schema] ?? .stopped
                group.addTask {
                    switch ending {
                    case .failed(let error):
                        return (name, .failure(error))
                    case .caughtUp, .stopped:
                        let caughtUp = if case .caughtUp = ending { true } else { false }
                        let outcome = await Result {
                            try await rebuild.finish(build, built: caughtUp, on: sessions.session(for: name))
                        }
                        // Done with its session: closing it gives up the rebuild lock at once.
                        await sessions.discard(name)
                        return (name, outcome)
                    }
                }
            }
            var finished: [(String, Result<Rebuild.Outcome, any Error>)] = []
            for await outcome in group { finished.append(outcome) }
            return finished
        }
        for (name, outcome) in finished { outcomes[name] = outcome }
        return outcomes
    }

    /// Each rebuild's lock and build, side by side. One waiting for another instance's rebuild of its
    /// projection (`waitForOtherRebuild`) holds up every build of the run until it has its lock.
    private static func prepareAll(
        _ rebuilds: [Rebuild],
        sessions: SessionPool
    ) async -> [(String, Result<Rebuild.Preparation, any Error>)] {
        await withTaskGroup(of: (String, Result<Rebuild.Preparation, any Error>).self) { group in
            for rebuild in rebuilds {
                group.addTask {
                    let name = rebuild.projection.name
                    let prepared = await Result { try await rebuild.prepare(on: sessions.session(for: name)) }
                    // Nothing to build, or failed (the session may be what failed): closing it gives the
                    // rebuild lock up now, not when every other rebuild of the run is done.
                    if case .success(.build) = prepared {} else { await sessions.discard(name) }
                    return (name, prepared)
                }
            }
            var prepared: [(String, Result<Rebuild.Preparation, any Error>)] = []
            for await result in group { prepared.append(result) }
            return prepared
        }
    }

    /// One run of the pipeline for `builds`; each build's ending by schema. A run that fails as a whole
    /// fails each build (or stops it, when cancelled).
    private static func buildAll(_ builds: [Build], of rebuilds: [Rebuild]) async -> [String: Build.Ending] {
        guard let first = rebuilds.first, !builds.isEmpty else { return [:] }
        let progress = Dictionary(
            uniqueKeysWithValues: rebuilds.map { (Rebuild.schema(for: $0.projection.name), $0.onProgress) }
        )
        do {
            return try await Build.runAll(
                builds,
                databaseURL: first.databaseURL,
                configuration: first.configuration,
                logger: first.logger
            ) { schema, update in await progress[schema]?(update) }
        } catch {
            let ending: Build.Ending = Task.isCancelled ? .stopped : .failed(error)
            return Dictionary(uniqueKeysWithValues: builds.map { ($0.schema, ending) })
        }
    }
}

extension Result where Failure == any Error {
    /// The result of `body`, which may suspend.
    init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
