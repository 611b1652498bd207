import Logging
import Postgres

/// How a page's shares commit: the one place the pipeline's commit policies live.
enum CommitPolicy: Sendable {
    /// One transaction for every share, on one session: live pages are small, and one commit saves a WAL
    /// flush per projection, which keeps live latency low.
    case together(Connection)
    /// One transaction per share, each on its own session, side by side: full pages (catching up, builds)
    /// put both cores, and as many server processes, to work.
    case apart
}

/// Writes the consumers' shares of one planned page under a commit policy and says what became of each.
enum PageWriter {
    /// One consumer's share of a page, and how it writes.
    struct Share: Sendable {
        var key: String
        var applier: BatchApplier
        var batch: PreparedBatch
        /// The session it commits on under `.apart`; unused under `.together`.
        var session: Connection?
        var logger: Logger
    }

    /// Writes `shares` under `policy`; returns each share's outcome by key, and how long the writes took.
    static func write(
        _ shares: [Share],
        policy: CommitPolicy
    ) async -> (outcomes: [String: WriteOutcome], took: Duration) {
        let started = ContinuousClock.now
        let outcomes: [String: WriteOutcome]
        switch policy {
        case .together(let session): outcomes = await writeTogether(shares, on: session)
        case .apart: outcomes = await writeApart(shares)
        }
        return (outcomes, ContinuousClock.now - started)
    }

    /// Each share in its own transaction on its own session, side by side.
    private static func writeApart(_ shares: [Share]) async -> [String: WriteOutcome] {
        await withTaskGroup(of: (String, WriteOutcome).self) { group in
            for share in shares {
                guard let session = share.session else {
                    preconditionFailure("a share written apart has a session of its own")
                }
                group.addTask { (share.key, await share.applier.write(share.batch, on: session, logger: share.logger)) }
            }
            var outcomes: [String: WriteOutcome] = [:]
            for await (key, outcome) in group { outcomes[key] = outcome }
            return outcomes
        }
    }

    /// Every share in one transaction on `session`. A share that does not advance (a failed statement, a
    /// refusing checkpoint) rolls the transaction back and is left out; the rest are written again without it.
    private static func writeTogether(_ shares: [Share], on session: Connection) async -> [String: WriteOutcome] {
        var outcomes: [String: WriteOutcome] = [:]
        var remaining = shares
        while !remaining.isEmpty {
            let parts = remaining
            let ended: Together
            do {
                ended = try await session.withTransaction(ending: { conn in
                    var written: [(String, BatchApplier.Written)] = []
                    for part in parts {
                        let outcome: WriteOutcome
                        do {
                            outcome = try part.applier.write(part.batch, inTransactionOn: conn)
                        } catch {
                            outcome = WriteOutcome(thrown: error)
                        }
                        guard case .advanced(let done) = outcome else { return .rollback(.leftOut(part.key, outcome)) }
                        written.append((part.key, done))
                    }
                    return .commit(.committed(written))
                })
            } catch {
                // BEGIN, COMMIT or ROLLBACK failed: no share is to blame, and none committed.
                let outcome = WriteOutcome(thrown: error)
                for part in remaining { outcomes[part.key] = outcome }
                return outcomes
            }
            switch ended {
            case .committed(let written):
                for (key, done) in written {
                    if let part = parts.first(where: { $0.key == key }) {
                        part.applier.report(done, logger: part.logger)
                    }
                    outcomes[key] = .advanced(done)
                }
                return outcomes
            case .leftOut(let key, let outcome):
                outcomes[key] = outcome
                // A lost session fails every share alike: writing again cannot help.
                if case .sessionLost = outcome {
                    for part in remaining { outcomes[part.key] = outcome }
                    return outcomes
                }
                remaining.removeAll { $0.key == key }
            }
        }
        return outcomes
    }

    /// How one try of a transaction of every share ended.
    private enum Together: Sendable {
        case committed([(String, BatchApplier.Written)])
        case leftOut(String, WriteOutcome)
    }
}
