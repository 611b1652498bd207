import EventLog
import Logging
import Postgres
import ProjectionCore

/// The group's pages: each written under the commit policy its size calls for, and projections joining
/// the group where it stands.
extension RunnerLoop {
    /// Writes the current page for `names` and tells the machine what became of each.
    mutating func writePage(for names: [String]) async throws -> [RunnerStateMachine.Action] {
        guard let page else { return [] }
        // Catching up, pages are full and each projection's share is large: one transaction per projection
        // on sessions of their own puts both cores (and as many server processes) to work. Live, pages are
        // small: one transaction for all saves a WAL flush per projection.
        let apart = page.isFull && names.count > 1
        var shares: [PageWriter.Share] = []
        for name in names {
            guard let member = members[name], let applier = member.applier, let batch = page.batches[name] else {
                continue
            }
            let session = apart ? try await apartSessions.session(for: name) : nil
            shares.append(
                PageWriter.Share(key: name, applier: applier, batch: batch, session: session, logger: member.logger)
            )
        }
        let (outcomes, took) = await PageWriter.write(shares, policy: apart ? .apart : .together(writer))
        runner.logger.debug(
            "page written",
            metadata: [
                LogKey.checkpoint: "\(page.end)", LogKey.batchEvents: "\(page.eventCount)",
                "page.projections": "\(names.count)", "page.apart": "\(apart)",
                "page.milliseconds": "\(Int(took.seconds * 1000))",
            ]
        )
        requests.writerCommitted()
        self.page = nil
        // A lost session stops the runner before the machine hears of any outcome: it connects again and
        // reads from the checkpoints, whatever committed.
        for case .sessionLost(let error) in outcomes.values { throw error }
        var results: [String: RunnerStateMachine.GroupOutcome] = [:]
        for (name, outcome) in outcomes {
            results[name] = try groupOutcome(of: name, outcome, during: apart ? "write" : "group write")
            if case .advanced(let written) = outcome {
                members[name]?.metrics.record(written.outcome, took: took)
                announceCaughtUp(name, page: page)
            } else if apart, case .failed = outcome {
                // The session may be what failed; the next full page opens a new one.
                await apartSessions.discard(name)
            }
        }
        return machine.groupWritten(end: page.end, outcomes: results, now: .now)
    }

    private mutating func announceCaughtUp(_ name: String, page: GroupPage) {
        guard page.isCaughtUp else {
            members[name]?.announcedCaughtUp = false
            return
        }
        guard members[name]?.announcedCaughtUp == false else { return }
        members[name]?.announcedCaughtUp = true
        members[name]?.logger.info("caught up", metadata: [LogKey.checkpoint: "\(page.end)"])
    }

    /// Applies `name`'s last pages up to the group's position in one transaction on the writer's session.
    mutating func join(
        _ name: String,
        epoch: Int,
        from: LogPosition,
        until: LogPosition
    ) async throws -> [RunnerStateMachine.Action] {
        guard let applier = members[name]?.applier else { return [] }
        let (pageSize, pageBytes) = (runner.configuration.batchSize, runner.configuration.pageBytes)
        let reach: BatchApplier.Reach
        do {
            reach = try await writer.withTransaction(ending: { conn in
                let reach = try applier.catchUp(
                    from: from,
                    until: until,
                    pageSize: pageSize,
                    pageBytes: pageBytes,
                    maxPages: 2,
                    on: conn
                )
                return reach.refusal == nil ? .commit(reach) : .rollback(reach)
            })
        } catch {
            return try failedAlone(name, epoch: epoch, outcome: WriteOutcome(thrown: error), during: "join")
        }
        requests.writerCommitted()
        if let refusal = reach.refusal {
            return try failedAlone(name, epoch: epoch, outcome: refusal, during: "join")
        }
        if reach.position == until {
            members[name]?.logger.debug("joined the group", metadata: [LogKey.checkpoint: "\(until)"])
        }
        return machine.joinAttempted(name, epoch: epoch, reached: reach.position)
    }
}
