import ArgumentParser
import EventInput
import Foundation

/// `--max-event-bytes`, the size limit `import` and `append` put on each event.
struct EventSizeOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            """
            The largest event accepted, in bytes of its JSON. Default: PROJECTOR_MAX_EVENT_BYTES, \
            else \(EventLine.defaultMaxBytes) (4 MiB).
            """,
            valueName: "bytes"
        )
    )
    var maxEventBytes: Int?

    /// The limit from the option, else the environment, else the default.
    var limit: Int { maxEventBytes ?? Self.environmentLimit ?? EventLine.defaultMaxBytes }

    /// `PROJECTOR_MAX_EVENT_BYTES` as a number, read once: `ProcessInfo.environment` builds a dictionary of
    /// the whole environment at each call, and `import` read the limit for every line (perf: 74 % of its CPU).
    private static let environmentLimit = ProcessInfo.processInfo.environment["PROJECTOR_MAX_EVENT_BYTES"].flatMap {
        Int($0)
    }

    /// The largest limit accepted: PostgreSQL stores no field over 1 GiB.
    static let ceiling = 1 << 30

    func validate() throws {
        if let text = ProcessInfo.processInfo.environment["PROJECTOR_MAX_EVENT_BYTES"], maxEventBytes == nil,
            (Int(text) ?? 0) <= 0
        {
            throw ValidationError("PROJECTOR_MAX_EVENT_BYTES must be a positive number of bytes")
        }
        guard (1...Self.ceiling).contains(limit) else {
            throw ValidationError(
                "--max-event-bytes (or PROJECTOR_MAX_EVENT_BYTES) must be 1 to \(Self.ceiling) (1 GiB)"
            )
        }
    }
}
