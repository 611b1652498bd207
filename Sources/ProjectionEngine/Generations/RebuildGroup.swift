import Logging
import Postgres
import ProjectionCore

/// Rebuilds several projections together: their builds are brought up to the log's end by one
/// `BuildPass` (the log read and decoded once for all), then each swaps its new generation in on its own
/// session as soon as the pass is done.
///
/// Each rebuild keeps its own lock, build schema, swap and outcome: one that fails (its lock taken, its
/// build or its swap failing) is reported as failed and the others go on.
public struct RebuildGroup: Sendable {
    let rebuilds: [Rebuild]

    /// Rebuilds `rebuilds`, which must name different projections of one database, with one configuration.
    public init(_ rebuilds: [Rebuild]) {
        precondition(Set(rebuilds.map(\.projection.name)).count == rebuilds.count, "a projection is rebuilt twice")
        precondition(Set(rebuilds.map(\.databaseURL)).count <= 1, "rebuilds of one group share a database")
        self.rebuilds = rebuilds
    }

    /// Runs every rebuild; returns each one's outcome, or why it failed, by projection name.
    public func run() async -> [String: Result<Rebuild.Outcome, any Error>] {
        var outcomes: [String: Result<Rebuild.Outcome, any Error>] = [:]
        var sessions: [String: Connection] = [:]
        var builds: [String: Build] = [:]
        for (name, prepared) in await prepareAll() {
            switch prepared {
            case .success((let conn, .build(let build))):
                sessions[name] = conn
                builds[name] = build
            case .success((let conn, .done(let outcome))):
                await conn.close()
                outcomes[name] = .success(outcome)
            case .failure(let error):
                outcomes[name] = .failure(error)
            }
        }
        let built = await buildAll(rebuilds.compactMap { builds[$0.projection.name] })
        let finished = await withTaskGroup(of: (String, Result<Rebuild.Outcome, any Error>).self) { group in
            for rebuild in rebuilds {
                let name = rebuild.projection.name
                guard let build = builds[name], let conn = sessions[name] else { continue }
                let result = built[build.schema] ?? .stopped
                group.addTask {
                    let outcome: Result<Rebuild.Outcome, any Error>
                    switch result {
                    case .failed(let error):
                        outcome = .failure(error)
                    case .caughtUp, .stopped:
                        let caughtUp = if case .caughtUp = result { true } else { false }
                        do {
                            outcome = .success(try await rebuild.finish(build, built: caughtUp, on: conn))
                        } catch {
                            outcome = .failure(error)
                        }
                    }
                    await conn.close()
                    return (name, outcome)
                }
            }
            var finished: [(String, Result<Rebuild.Outcome, any Error>)] = []
            for await outcome in group { finished.append(outcome) }
            return finished
        }
        for (name, outcome) in finished { outcomes[name] = outcome }
        return outcomes
    }

    /// Each rebuild's session, lock and build, side by side. One waiting for another instance's rebuild of its
    /// projection (`waitForOtherRebuild`) holds up the pass of the whole group until it has its lock.
    private func prepareAll() async -> [(String, Result<(Connection, Rebuild.Preparation), any Error>)] {
        await withTaskGroup(of: (String, Result<(Connection, Rebuild.Preparation), any Error>).self) { group in
            for rebuild in rebuilds {
                group.addTask {
                    let name = rebuild.projection.name
                    let conn: Connection
                    do {
                        conn = try await rebuild.connect()
                    } catch {
                        return (name, .failure(error))
                    }
                    do {
                        return (name, .success((conn, try await rebuild.prepare(on: conn))))
                    } catch {
                        await conn.close()
                        return (name, .failure(error))
                    }
                }
            }
            var prepared: [(String, Result<(Connection, Rebuild.Preparation), any Error>)] = []
            for await result in group { prepared.append(result) }
            return prepared
        }
    }

    /// One pass over the log for `builds`; each build's result by schema. A pass that fails as a whole
    /// fails each build (or stops it, when cancelled).
    private func buildAll(_ builds: [Build]) async -> [String: BuildPass.Result] {
        guard let first = rebuilds.first, !builds.isEmpty else { return [:] }
        let progress = Dictionary(
            uniqueKeysWithValues: rebuilds.map { (Rebuild.schema(for: $0.projection.name), $0.onProgress) }
        )
        let pass = BuildPass(
            builds: builds,
            databaseURL: first.databaseURL,
            configuration: first.configuration,
            logger: first.logger
        )
        do {
            return try await pass.run { schema, update in await progress[schema]?(update) }
        } catch {
            let result: BuildPass.Result = Task.isCancelled ? .stopped : .failed(error)
            return Dictionary(uniqueKeysWithValues: builds.map { ($0.schema, result) })
        }
    }
}
