import ArgumentParser
import Foundation
import Postgres
import ProjectionCore
import ProjectionEngine

/// `pause`, `resume`, `reset` and `policy`: they change the projection's row in the database and
/// notify its runner, so they act on a running `projector run` on any machine.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stops a projection applying events until `projector resume`.",
        discussion: """
            Waits for a batch in flight; once this returns, the projection commits no further batch. Its \
            tables keep serving as they are. The runner keeps its writer lock and resumes where it was.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection.")
    var projection: String

    @Option(name: .long, help: "Why, shown by `projector status`. Default: paused by the OS user.")
    var reason: String?

    func run() async throws {
        let name = try AllProjections.select([projection])[0].name
        let why = reason ?? "paused by \(ProcessInfo.processInfo.environment["USER"] ?? "unknown")"
        try await withControl(global) { conn in try await ProjectionControl.pause(name, reason: why, on: conn) }
        print("\(name): paused")
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Lets a paused (or stopped) projection go on from its checkpoint."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection.")
    var projection: String

    func run() async throws {
        let name = try AllProjections.select([projection])[0].name
        try await withControl(global) { conn in try await ProjectionControl.resume(name, on: conn) }
        print("\(name): resumed")
    }
}

struct ResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Empties a projection's tables and replays it from the start of the log.",
        discussion: """
            The tables are empty (and the API answers with nothing) until the running projector has replayed \
            the log; its dead letters are deleted and parked again by the replay. To replace a read model \
            without that gap, use `projector rebuild`.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection.")
    var projection: String

    @Flag(name: .long, help: "Required: confirms that every row of the projection's tables is deleted.")
    var confirm = false

    func validate() throws {
        guard confirm else {
            throw ValidationError("reset deletes every row of \(projection)'s tables; add --confirm to do it")
        }
    }

    func run() async throws {
        let selected = try AllProjections.select([projection])[0]
        try await withControl(global) { conn in try await ProjectionControl.reset(selected, on: conn) }
        print("\(selected.name): reset; the running projector replays it from the start of the log")
    }
}

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Sets what a projection does when an event cannot be applied.",
        discussion: """
            park (the default): dead-letter the event and go on. stop: dead-letter it, apply nothing after it \
            and pause the projection; retry or skip the dead letter, then `projector resume`.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection.")
    var projection: String

    @Argument(help: "park or stop.")
    var policy: String

    func validate() throws {
        guard FailurePolicy(rawValue: policy) != nil else { throw ValidationError("policy must be park or stop") }
    }

    func run() async throws {
        let name = try AllProjections.select([projection])[0].name
        let chosen = FailurePolicy(rawValue: policy) ?? .park
        try await withControl(global) { conn in try await ProjectionControl.setPolicy(name, chosen, on: conn) }
        print("\(name): on failure, \(chosen.rawValue)")
    }
}

/// Connects with `global`'s settings, runs `body`, and turns its failure into one line and exit code 1.
private func withControl(_ global: GlobalOptions, _ body: (Connection) async throws -> Void) async throws {
    try await global.withConnection { conn in
        do {
            try await body(conn)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
