import AsyncAlgorithms
import EventLog
import Logging
import Postgres
import ProjectionCore

/// Work the loop hands to child tasks on sessions of their own: a projection catching up alone, and
/// builds before projections run. Each reports back as an input.
extension RunnerLoop {
    func startCatchUp(
        _ name: String,
        epoch: Int,
        from: LogPosition,
        until: LogPosition,
        in group: inout ThrowingTaskGroup<Void, any Error>
    ) {
        guard let member = members[name], let applier = member.applier else { return }
        let (inputs, runner, watch, holder) = (inputs, runner, watch, leases.holder)
        member.logger.info(
            "catching up on its own",
            metadata: [LogKey.checkpoint: "\(from)", "catchup.until": "\(until)"]
        )
        group.addTask {
            let catchUp = CatchUp(
                applier: applier,
                runner: runner,
                logger: member.logger,
                metrics: member.metrics,
                watch: watch,
                holder: holder
            )
            switch await catchUp.run(from: from, until: until) {
            case .caughtUp(let end), .stopped(let end):
                await inputs.send(.caughtUp(name, epoch: epoch, at: end))
            case .left(let outcome):
                await inputs.send(.failedAlone(name, epoch: epoch, outcome: outcome))
            }
        }
    }

    /// Builds `names` in one pass over the log (`Rebuild.runAll`), each swapped in as soon as the pass is done.
    ///
    /// A changed projection whose build fails stops the runner: its new code must not write the old tables.
    /// A first install's failure only costs the shortcut: it catches up in its live tables like any other,
    /// where a failure stays its own (retried alone while the others go on). An outage stops the runner
    /// either way, which connects again and resumes the builds.
    func startRebuild(_ names: [String], in group: inout ThrowingTaskGroup<Void, any Error>) {
        let building = names.compactMap { self.members[$0] }
        let rebuilds = building.map { member in
            var rebuild = Rebuild(
                projection: member.projection,
                databaseURL: runner.databaseURL,
                configuration: runner.configuration,
                logger: member.logger
            )
            rebuild.condition = member.buildCondition
            let progress = BuildProgressLog(logger: member.logger)
            rebuild.onProgress = { progress.record($0) }
            return rebuild
        }
        let inputs = inputs
        group.addTask {
            let outcomes = await Rebuild.runAll(rebuilds)
            // In the order given, so that the first failure is the one reported.
            for member in building {
                let name = member.projection.name
                switch outcomes[name] {
                case .success(.swapped), .success(.notNeeded):
                    await inputs.send(.rebuilt(name))
                case .failure(let error)
                where member.buildCondition == .firstInstall && !Outage.isConnectionLoss(error):
                    member.logger.error(
                        "loading it as a rebuild failed; it catches up in its live tables instead",
                        metadata: ["error": "\(error)"]
                    )
                    await inputs.send(.rebuilt(name))
                case .failure(let error):
                    await inputs.send(.fatal(error))
                    return
                case .success(.stopped), nil:
                    continue
                }
            }
        }
    }
}
