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

        @Flag(name: .long, help: "Every parked dead letter of the projection.")
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
            let conn = try await global.connect()
            let letters: [DeadLetterDesk.Letter]
            do {
                letters = try await DeadLetterDesk.list(
                    projection: projection,
                    status: status == "all" ? nil : status,
                    limit: limit,
                    on: conn
                )
            } catch {
                await conn.close()
                throw CommandFailure("cannot list dead letters: \(error)")
            }
            await conn.close()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(letters), as: UTF8.self))
                return
            }
            printTable(
                header: ["ID", "PROJECTION", "POSITION", "EVENT ID", "TYPE", "CATEGORY", "STATUS", "TRIES", "REASON"],
                rows: letters.map { l in
                    [
                        String(l.id), l.projection, String(l.globalPosition), l.eventID, l.eventType, l.category,
                        l.status,
                        String(l.attempts), l.reason,
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
                its new reason. Exit code 0 when every one applied, 1 when some still fail.
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: Selection

        func run() async throws {
            let projection = try AllProjections.select([selection.projection])[0]
            let conn = try await global.connect()
            let outcomes: [DeadLetterDesk.RetryOutcome]
            do {
                outcomes = try await DeadLetterDesk.retry(projection, ids: selection.id, by: selection.who, on: conn)
            } catch {
                await conn.close()
                throw CommandFailure("retry failed: \(error)")
            }
            await conn.close()
            for outcome in outcomes {
                print("\(outcome.id): " + (outcome.stillFailing.map { "still failing: \($0)" } ?? "applied"))
            }
            let failing = outcomes.filter { $0.stillFailing != nil }.count
            print("\(outcomes.count - failing) applied, \(failing) still parked")
            if failing > 0 { throw ExitCode.failure }
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Marks parked dead letters handled without applying them, with who and why."
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
            _ = try AllProjections.select([selection.projection])
            let conn = try await global.connect()
            let skipped: Int
            do {
                skipped = try await DeadLetterDesk.skip(
                    projection: selection.projection,
                    ids: selection.id,
                    by: selection.who,
                    because: reason,
                    on: conn
                )
            } catch {
                await conn.close()
                throw CommandFailure("skip failed: \(error)")
            }
            await conn.close()
            print("\(skipped) skipped")
        }
    }
}
