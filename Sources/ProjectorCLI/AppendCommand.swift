import ArgumentParser
import EventInput
import EventLog
import Foundation
import Postgres
import ProjectionCore

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Appends one event to a stream, optionally at an expected stream version.",
        discussion: """
            Give the event with --stream, --type and --data (and optionally --metadata, --event-id), or as one \
            JSON object with --json '{"stream", "type", "data", "metadata", "eventId"}'. Re-appending an \
            event id already in the log is a no-op (it prints where the event was first stored). Prints the log \
            position the event committed at, xid/position, for read-your-writes: CALL projector.wait_for(...) \
            returns once a projection has passed it. Exit code 3 when the stream is not at --expected-version. \
            --data, --metadata and --json are checked by the rules `projector import` applies (see its help) and \
            sent as written, so PostgreSQL parses every number; an argument that is not UTF-8 is refused.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The stream, <category>-<id> (e.g. appointment-5f0c…).") var stream: String?
    @Option(help: "The event type (see the event contract).") var type: String?
    @Option(help: "The payload, a JSON object.") var data: String?
    @Option(help: "The metadata, a JSON object.") var metadata = "{}"
    @Option(help: "The event's UUID (idempotency key). Default: a new random UUID.") var eventId: String?
    @Option(help: "The event as one JSON object, instead of the options above.") var json: String?
    @Option(help: "any, no-stream, or the stream's last position N.") var expectedVersion = "any"
    @OptionGroup var size: EventSizeOption
    @Flag(help: "Print one JSON object: eventId, version, position, transactionId, globalPosition.") var jsonOutput =
        false

    func validate() throws {
        try Self.refuseArgumentsThatAreNotUTF8()
        _ = try expected()
        if let json {
            guard stream == nil, type == nil, data == nil, eventId == nil else {
                throw ValidationError("give the event either with --json or with --stream/--type/--data, not both")
            }
            do { _ = try EventLine(Array(json.utf8), maxBytes: size.limit) } catch {
                throw ValidationError("--json: \(error)")
            }
        } else {
            guard let stream, let type, let data else {
                throw ValidationError("--stream, --type and --data are required (or give --json)")
            }
            do {
                try EventLine.checkSize(data.utf8.count + metadata.utf8.count, maxBytes: size.limit)
                try EventLine.checkObject(data, what: "--data")
                try EventLine.checkObject(metadata, what: "--metadata")
                try EventLine.checkStream(stream)
            } catch {
                throw ValidationError("\(error)")
            }
            guard !type.isEmpty else { throw ValidationError("--type must not be empty") }
            if let eventId, UUID(uuidString: eventId) == nil { throw ValidationError("--event-id must be a UUID") }
        }
    }

    /// Swift repairs invalid UTF-8 in `CommandLine.arguments` into U+FFFD, which would then be stored as if
    /// the producer had sent it: the raw arguments are checked instead.
    private static func refuseArgumentsThatAreNotUTF8() throws {
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            guard String(validatingCString: argument) != nil else {
                throw ValidationError("argument \(index) is not valid UTF-8; events are stored as UTF-8 only")
            }
        }
    }

    func expected() throws -> ExpectedVersion {
        switch expectedVersion {
        case "any": return .any
        case "no-stream": return .noStream
        default:
            guard let version = Int64(expectedVersion), version >= 0 else {
                throw ValidationError("--expected-version must be any, no-stream or a non-negative integer")
            }
            return .exactly(version)
        }
    }

    /// The event to append; `data` and `metadata` are sent as the producer wrote them, so that PostgreSQL
    /// parses the numbers (never a `Double` on the way).
    func event() throws -> NewEvent {
        if let json {
            let line = try EventLine(Array(json.utf8), maxBytes: size.limit)
            return NewEvent(
                stream: line.stream,
                type: line.type,
                eventID: line.eventID ?? UUID().uuidString.lowercased(),
                data: line.data,
                metadata: line.metadata
            )
        }
        return NewEvent(
            stream: stream ?? "",
            type: type ?? "",
            eventID: eventId?.lowercased() ?? UUID().uuidString.lowercased(),
            data: data ?? "{}",
            metadata: metadata
        )
    }

    func run() async throws {
        let event = try event()
        let expected = try expected()
        do {
            let appended = try await global.withConnection { conn in
                try await LogWriter(connection: conn).append([event], to: event.stream, expected: expected)
            }
            let position = appended.position
            if jsonOutput {
                // Every value is a number, a position or the event id: no payload, no stream id.
                let object: [String: Any] = [
                    "eventId": event.eventID, "version": appended.version, "position": position.description,
                    "transactionId": String(position.transactionID), "globalPosition": position.globalPosition,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(
                    "appended event \(event.eventID) (\(event.type)) at position \(position); "
                        + "stream version is now \(appended.version)"
                )
            }
        } catch let conflict as WrongExpectedVersion {
            printError("projector: \(conflict)")
            throw ExitCode(3)
        }
    }
}
