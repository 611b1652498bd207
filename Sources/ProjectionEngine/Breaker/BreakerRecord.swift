import Foundation
import ProjectionCore

/// What `projector.breakers` remembers of one consumer of the log (a live projection, a build): who applies
/// its events now, where the processes that held it died, and the page in flight of a careful replay.
///
/// A trap or an out-of-memory kill ends the process without a word, so this record is all the next process
/// learns. `decide` turns it into what that process does first; pure, so every case is a plain unit test.
struct BreakerRecord: Equatable, Sendable {
    /// The process applying the consumer's events; nil once it ended cleanly.
    var holder: UUID?
    /// The checkpoint at which the last holders died, and how many in a row died there.
    var deathAt: LogPosition?
    var deaths = 0
    /// A careful replay's page in flight; nil outside a replay.
    var pass: Pass?
    /// How many holders died running the projection's code on the one event after `pass.after` alone.
    var strikes = 0
    /// How many holders died writing what the projection's code planned for that event.
    var writeDeaths = 0

    /// A page a careful or cautious replay was applying when its process died.
    struct Pass: Equatable, Sendable {
        /// The page starts after this position: the consumer's checkpoint when it was read.
        var after: LogPosition
        /// Its most events: 1 in a careful replay; 0 once a new holder took the replay over and has not read
        /// the event yet, so that its death before reading it is no strike against the event.
        var limit: Int
        /// Where the replay ends (a careful one; nil for a cautious one, which stops after a few pages).
        var until: LogPosition?
        /// Whether the projection's code returned for the event in flight, which is being written.
        var planned = false
    }
}

/// What a process does with a consumer before it applies its events as usual.
enum BreakerDecision: Equatable, Sendable {
    /// The last holder ended cleanly (or is this process): nothing to fear.
    case proceed
    /// The last holder died once at this checkpoint, perhaps for a reason of its own (kill -9, a lost
    /// machine): apply the next few pages one at a time, without reading ahead, so that a second death here
    /// is known to be in the first page after the checkpoint.
    case cautious
    /// Holders died here before: apply the events after the checkpoint one per transaction up to `until`
    /// (nil: as far as one full page reaches), so that the next death names its event.
    case careful(until: LogPosition?)
    /// The event after the checkpoint killed two holders on its own: quarantine it, then go on carefully to
    /// `until`.
    case quarantine(thenCarefulUntil: LogPosition?)
}

extension BreakerRecord {
    /// How many holders must die on one event alone before it is quarantined: one death could be anything
    /// (kill -9 during that transaction, a machine lost); two on the same event, after the deaths that
    /// narrowed the search down to it, are the event.
    static let strikesToQuarantine = 2

    /// How many holders must die writing what the projection planned for one event before it is quarantined.
    /// Its code ran on the event and returned; what follows is the engine's writing, round trips to the
    /// server for the most part, where a kill -9 lands far more often than a trap. Two such deaths in a row
    /// were seen under a test's kill -9 at random moments; three are an event the engine cannot write.
    static let writeDeathsToQuarantine = 3

    /// What `holder`, starting at `checkpoint`, must do first, and the record to store as it starts.
    func decide(for holder: UUID, at checkpoint: LogPosition) -> (BreakerDecision, BreakerRecord) {
        var next = self
        next.holder = holder
        // Ended cleanly, or this very process again (a claim after a failure, a pause, a reset).
        guard let last = self.holder, last != holder else {
            next.pass = nil
            next.strikes = 0
            next.writeDeaths = 0
            return (.proceed, next)
        }
        // The last holder died, or froze and lost its lease: a death, either way.
        if let pass, pass.limit <= 1, let until = pass.until, checkpoint < until {
            // This holder has not read the event yet: if it dies before it does (kill -9 while starting up),
            // that is no strike against the event.
            next.pass?.limit = 0
            next.pass?.planned = false
            guard pass.after == checkpoint else {
                // It died further on in the replay than this event: go on with it.
                next.strikes = 0
                next.writeDeaths = 0
                return (.careful(until: until), next)
            }
            // It died before it read the event (while starting, say): the event did not kill it.
            guard pass.limit == 1 else { return (.careful(until: until), next) }
            if pass.planned {
                next.writeDeaths = writeDeaths + 1
                if next.writeDeaths >= Self.writeDeathsToQuarantine {
                    (next.strikes, next.writeDeaths) = (0, 0)
                    return (.quarantine(thenCarefulUntil: until), next)
                }
                return (.careful(until: until), next)
            }
            next.strikes = strikes + 1
            if next.strikes >= Self.strikesToQuarantine {
                (next.strikes, next.writeDeaths) = (0, 0)
                return (.quarantine(thenCarefulUntil: until), next)
            }
            return (.careful(until: until), next)
        }
        next.pass = nil
        next.strikes = 0
        next.writeDeaths = 0
        next.deaths = deathAt == checkpoint ? deaths + 1 : 1
        next.deathAt = checkpoint
        return (next.deaths >= 2 ? .careful(until: nil) : .cautious, next)
    }
}
