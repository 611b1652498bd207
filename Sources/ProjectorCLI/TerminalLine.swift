import Foundation
import Logging
import Synchronization

/// The progress bar on the terminal, shared by `ProgressReport` (which draws it) and the log handler
/// (which must not break it): a log line first clears the bar's line, is printed, and the bar is
/// drawn again below it. One lock orders every write to standard error that involves the bar.
final class TerminalLine: Sendable {
    /// The process's one terminal line.
    static let shared = TerminalLine()

    /// The bar's text while one is shown.
    private let bar = Mutex<String?>(nil)

    /// Draws (or redraws) the bar in place.
    func show(_ text: String) {
        bar.withLock { current in
            current = text
            printError("\r\u{1B}[K" + text, terminator: "")
        }
    }

    /// Ends the bar's line, so what follows starts on its own.
    func finish() {
        bar.withLock { current in
            if current != nil { printError("") }
            current = nil
        }
    }

    /// Runs `write` (which prints whole lines to standard error) with the bar's line cleared first and the
    /// bar drawn again after it, so a log line never lands in the middle of the bar.
    func interrupt(_ write: () -> Void) {
        bar.withLock { current in
            guard let current else { return write() }
            printError("\r\u{1B}[K", terminator: "")
            write()
            printError(current, terminator: "")
        }
    }
}

/// swift-log's standard-error handler, writing through `TerminalLine` so log lines and the bar don't mix.
struct BarAwareLogHandler: LogHandler {
    private var inner: StreamLogHandler

    /// A handler for `label`, writing to standard error.
    init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = event.metadata.map(TerminalText.escaped)
        TerminalLine.shared.interrupt { inner.log(event: event) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }
}
