import ArgumentParser
import EventLog
import Foundation
import Postgres

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspects the event log.",
        subcommands: [Stats.self]
    )

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shows how many events and streams the log holds, by type."
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print one JSON object instead of text.") var json = false

        func run() async throws {
            let stats = try await global.withConnection { conn in try await LogStats.read(on: conn) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(stats), as: UTF8.self))
                return
            }
            print("events: \(stats.events) in \(stats.streams) streams, last position \(stats.maxPosition)")
            if let first = stats.firstRecordedAt, let last = stats.lastRecordedAt {
                print("recorded: \(first) … \(last)")
            }
            printTable(header: ["TYPE", "EVENTS"], rows: stats.byType.map { [$0.type, String($0.count)] })
        }
    }
}
