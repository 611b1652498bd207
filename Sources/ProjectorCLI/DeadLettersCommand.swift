import ArgumentParser
import Foundation
import Postgres
import ProjectionEngine

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Lists, retries or skips the events a projection could not apply.",
        discussion: """
            Dead letters never show stream ids or payloads (they hold patient identifiers): find the event by \
            its event id or position in eventlog.events. Fix the cause first (a producer's correction, a newer \
            projector), then retry; skip what must never apply, saying why.

            Once an event fails (invalid-payload, unsupported-schema-version, out-of-order: a step its stream \
            rules out, such as a repeat prescription approved after it was rejected), the projection parks every later \
            event of its stream behind it, so that the stream is applied in order: category parked-behind, \
            BEHIND naming the letter it waits for. Retrying that letter successfully, or skipping it, releases \
            them. An event whose precondition is missing (missing-precondition) parks nothing: what it waits \
            for usually comes later in its own stream.
            """,
        subcommands: [List.self, Retry.self, Skip.self],
        defaultSubcommand: List.self
    )

    /// The selection of `retry` and `skip`: some ids, or every parked letter of the projection.
    struct Selection: ParsableArguments {
        @Argument(help: "The projection.")
        var projection: String

        @Option(name: .long, help: "A dead letter's id, from `list` (repeatable).")
        var id: [Int64] = []

        @Flag(name: .long, help: "Every parked dead letter of the projection that waits behind no other.")
        var all = false

        @Option(name: .long, help: "Who is acting, recorded with the letter. Default: the OS user.")
        var by: String?

        func validate() throws {
            guard all != !id.isEmpty else { throw ValidationError("give --id (one or more) or --all") }
        }

        var who: String {
            by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists dead letters, oldest first.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Only this projection's.")
        var projection: String?

        @Option(name: .long, help: "parked (default), retried, skipped or all.")
        var status = "parked"

        @Option(name: .long, help: "At most this many. Default: 100.")
        var limit = 100

        @Flag(name: .long, help: "One JSON array instead of a table.")
        var json = false

        func validate() throws {
            guard ["parked", "retried", "skipped", "all"].contains(status) else {
                throw ValidationError("--status must be parked, retried, skipped or all")
            }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            if let projection { _ = try AllProjections.select([projection]) }
            let letters = try await global.withConnection { conn in
                do {
                    return try await DeadLetters.list(
                        projection: projection,
                        status: status == "all" ? nil : status,
                        limit: limit,
                        on: conn
                    )
                } catch {
                    throw CommandFailure("cannot list dead letters: \(error)")
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(letters), as: UTF8.self))
                return
            }
            printTable(
                header: [
                    "ID", "PROJECTION", "POSITION", "EVENT ID", "TYPE", "CATEGORY", "BEHIND", "STATUS", "TRIES",
                    "REASON",
                ],
                rows: letters.map { l in
                    [
                        String(l.id), l.projection, String(l.globalPosition), l.eventID, l.eventType, l.category,
                        l.behindID.map(String.init) ?? "-", l.status, String(l.attempts), l.reason,
                    ]
                }
            )
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applies parked dead letters again, in log order.",
            discussion: """
                Each letter is retried in its own transaction: applied (status retried) or left parked with \
                its new reason. Once applied, the letters parked behind it (later events of its stream) are \
                released in the same transaction, applied in log order; one that fails again becomes its \
                stream's first letter and the rest stay behind it. A letter parked behind another is not \
                retried on its own (that would apply its stream out of order): naming one with --id is refused \
                and nothing is done; retry or skip the letter it waits behind. Exit code 0 when every one \
                applied, 1 when some still fail.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            let projection = try AllProjections.select([selection.projection])[0]
            let outcomes = try await global.withConnection { conn in
                do {
                    return try await DeadLetters.retry(projection, ids: selection.id, by: selection.who, on: conn)
                } catch {
                    throw CommandFailure("retry failed: \(error)")
                }
            }
            for outcome in outcomes {
                var line = "\(outcome.id): " + (outcome.stillFailing.map { "still failing: \($0)" } ?? "applied")
                if outcome.waiting > 0 { line += "; \(outcome.waiting) parked behind it" }
                print(line + describe(outcome.released))
            }
            let failing = outcomes.filter { $0.stillFailing != nil }.count
            print("\(outcomes.count - failing) applied, \(failing) still parked")
            let released = outcomes.map(\.released)
            if released.contains(where: \.handledAny) { print(summarise(released)) }
            if failing > 0 || !released.allSatisfy(\.isComplete) { throw ExitCode.failure }
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Marks parked dead letters handled without applying them, with who and why.",
            discussion: """
                The letters parked behind a skipped one (later events of its stream) are released in the same \
                transaction and applied in log order; one that fails becomes its stream's first letter and the \
                rest stay behind it. A letter parked behind another is not skipped on its own: naming one with \
                --id is refused and nothing is done; skip (or retry) the letter it waits behind. Exit code 1 \
                when a released letter failed again.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: Selection

        @Option(name: .long, help: "Why they are skipped (recorded; no patient data).")
        var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reason must say why")
            }
        }

        func run() async throws {
            let projection = try AllProjections.select([selection.projection])[0]
            let skipped = try await global.withConnection { conn in
                do {
                    return try await DeadLetters.skip(
                        projection,
                        ids: selection.id,
                        by: selection.who,
                        because: reason,
                        on: conn
                    )
                } catch {
                    throw CommandFailure("skip failed: \(error)")
                }
            }
            for outcome in skipped where outcome.released.handledAny {
                print("\(outcome.id): skipped" + describe(outcome.released))
            }
            print("\(skipped.count) skipped")
            let released = skipped.map(\.released)
            if released.contains(where: \.handledAny) { print(summarise(released)) }
            if !released.allSatisfy(\.isComplete) { throw ExitCode.failure }
        }
    }
}

/// What a release did, after a letter's own outcome: `; released 13 14 (applied); 15 failed again …`.
private func describe(_ release: DeadLetters.Release) -> String {
    guard release.handledAny else { return "" }
    var parts: [String] = []
    if !release.applied.isEmpty { parts.append("released and applied " + ids(release.applied)) }
    if !release.failedAlone.isEmpty { parts.append("released, still failing on their own " + ids(release.failedAlone)) }
    if let first = release.newFirst {
        parts.append("released \(first), which failed again and now parks its stream")
    }
    if !release.stillBehind.isEmpty {
        parts.append("still parked behind \(release.newFirst.map(String.init) ?? "it") " + ids(release.stillBehind))
    }
    return "; " + parts.joined(separator: "; ")
}

/// `N released: A applied, F failed again, B still parked behind a new first`.
private func summarise(_ releases: [DeadLetters.Release]) -> String {
    let applied = releases.map(\.applied.count).reduce(0, +)
    let failed = releases.map { $0.failedAlone.count + ($0.newFirst == nil ? 0 : 1) }.reduce(0, +)
    let behind = releases.map(\.stillBehind.count).reduce(0, +)
    return "\(applied + failed + behind) released from behind them: \(applied) applied, \(failed) failed again, "
        + "\(behind) still parked behind those"
}

private func ids(_ ids: [Int64]) -> String {
    ids.map(String.init).joined(separator: " ")
}
