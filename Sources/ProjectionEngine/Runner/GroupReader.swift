import AsyncAlgorithms
import EventLog
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

/// Reads the log once for every projection of a runner and plans each one's share of every page.
///
/// It reads pages of any type some projection handles, after the group's position, and sends each,
/// planned for every projection, to the runner's loop; meanwhile the loop writes the previous page, so
/// client and server work overlap. It forwards ops' NOTIFYs as inputs and sleeps on the log's NOTIFY
/// (polling every `idlePollInterval`) once caught up.
struct GroupReader: Sendable {
    let projections: [any Projection]
    let configuration: RunnerConfiguration
    /// Where the loop asks the reader to read from next (the group formed, or formed again), and when
    /// the writer last committed.
    let requests: ReadRequests

    /// Reads until shut down or cancelled; a failure reaches the loop as `.fatal`.
    ///
    /// `conn` must be prepared by `ReaderSession.prepare(_:listening: true)`.
    func run(on conn: Connection, into inputs: AsyncChannel<RunnerInput>) async {
        do {
            try await read(on: conn, into: inputs)
        } catch {
            await inputs.send(.fatal(error))
        }
    }

    private func read(on conn: Connection, into inputs: AsyncChannel<RunnerInput>) async throws {
        let reader = LogReader(connection: conn)
        let types = projections.reduce(into: Set<String>()) { $0.formUnion($1.eventTypes) }
        var position: LogPosition?
        var request = 0
        var sentCaughtUp = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let requested = requests.take() {
                (position, request) = (requested.position, requested.number)
                sentCaughtUp = false
            }
            guard let start = position else {
                // No projection claimed yet: nothing to read, only NOTIFYs to pass on.
                try await wait(on: conn, into: inputs)
                continue
            }
            let page = try await reader.read(
                after: start,
                types: types,
                limit: configuration.batchSize,
                maxBytes: configuration.pageBytes
            )
            // A caught-up page is sent even when empty, once, so the loop can say so (and finish).
            if !page.events.isEmpty || page.end != start || (page.isCaughtUp && !sentCaughtUp) {
                await inputs.send(.page(await plan(page, from: start, request: request)))
                position = page.end
                sentCaughtUp = page.isCaughtUp
            }
            let appended = try await drain(on: conn, into: inputs)
            if page.isFull { continue }
            if page.isCaughtUp {
                // An append NOTIFY drained just now may be for an event this page missed: read again.
                if !appended { try await wait(on: conn, into: inputs) }
            } else {
                // Committed events wait behind an open transaction: look again soon (lag, never loss). Most
                // often that transaction is this runner's own writer, busy with the previous page: look
                // again as soon as it commits rather than after the whole interval.
                sentCaughtUp = false
                try await requests.waitForCommit(within: configuration.heldBackRetryInterval)
            }
        }
    }

    /// `page` planned for every projection of the group (`PagePlanner`).
    private func plan(_ page: LogPage, from start: LogPosition, request: Int) async -> GroupPage {
        let consumers = projections.map { PagePlanner.Consumer(key: $0.name, projection: $0) }
        return GroupPage(
            request: request,
            start: start,
            end: page.end,
            eventCount: page.events.count,
            isCaughtUp: page.isCaughtUp,
            isFull: page.isFull,
            batches: await PagePlanner.plan(page, for: consumers)
        )
    }

    /// Sends the waiting control NOTIFYs as inputs; says whether an append NOTIFY was among them.
    private func drain(on conn: Connection, into inputs: AsyncChannel<RunnerInput>) async throws -> Bool {
        var appended = false
        while let note = try await conn.nextNotification(timeout: .zero) {
            appended = try await pass(note, into: inputs) || appended
        }
        return appended
    }

    /// Waits for an append NOTIFY, a read request or `idlePollInterval`, in slices so shutdown is prompt.
    private func wait(on conn: Connection, into inputs: AsyncChannel<RunnerInput>) async throws {
        let slice = Duration.milliseconds(250)
        var waited = Duration.zero
        while waited < configuration.idlePollInterval && !Task.isShuttingDownGracefully && !Task.isCancelled {
            if requests.isPending { return }
            if let note = try await conn.nextNotification(timeout: slice) {
                // Drain the burst: one read serves every append that woke us.
                let appended = try await pass(note, into: inputs)
                if try await drain(on: conn, into: inputs) || appended { return }
            } else {
                waited += slice
            }
        }
    }

    /// Forwards a control NOTIFY for one of this runner's projections; true for an append NOTIFY.
    private func pass(_ note: PostgresNotification, into inputs: AsyncChannel<RunnerInput>) async throws -> Bool {
        if note.channel == Channels.appended { return true }
        if note.channel == Channels.control {
            if note.payload.isEmpty {
                await inputs.send(.control(nil))
            } else if projections.contains(where: { $0.name == note.payload }) {
                await inputs.send(.control(note.payload))
            }
        }
        return false
    }
}

/// What the loop tells its reader between tasks: where to read from next, and that the writer committed.
///
/// Requests are numbered and the reader stamps each page with the number it read under, so the loop can
/// tell a page read before its latest request from one read after it even when both start at the same
/// position (the group formed again where it stood, after a pause, resume or swap).
final class ReadRequests: Sendable {
    private let next = Mutex<(position: LogPosition, number: Int)?>(nil)
    private let issued = Atomic<Int>(0)
    private let commits = Atomic<Int>(0)

    /// Notes that the writer's transaction ended: whatever it held back may be readable now.
    func writerCommitted() { commits.add(1, ordering: .releasing) }

    /// Returns once the writer commits again, or after `limit`, polling every millisecond.
    func waitForCommit(within limit: Duration) async throws {
        let seen = commits.load(ordering: .acquiring)
        let deadline = ContinuousClock.now + limit
        while commits.load(ordering: .acquiring) == seen && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Asks the reader to read from `position` on; pages read under earlier requests are stale from now.
    func request(_ position: LogPosition) {
        next.withLock { $0 = (position, issued.add(1, ordering: .sequentiallyConsistent).newValue) }
    }

    /// The number of the latest request: a page stamped with another was read for a group that has moved.
    var latest: Int { issued.load(ordering: .sequentiallyConsistent) }

    /// The pending request, taken.
    func take() -> (position: LogPosition, number: Int)? {
        next.withLock { request in
            defer { request = nil }
            return request
        }
    }

    /// Whether a request waits.
    var isPending: Bool { next.withLock { $0 != nil } }
}
