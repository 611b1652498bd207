import Foundation
import ProjectionEngine

/// Shows a build's progress: a bar redrawn in place on a terminal, plain lines every few seconds
/// otherwise (a log file, CI), or JSON lines on standard output for machines.
actor ProgressReport {
    /// How progress is shown.
    enum Style {
        case bar, lines, json
    }

    private let style: Style
    private let label: String
    private var lastShown: ContinuousClock.Instant?
    private var drewBar = false

    /// A report for `label` (the projection), in the style that suits standard error, or JSON when asked;
    /// never a bar unless `bar` (several reports at once would draw over each other).
    init(label: String, json: Bool, bar: Bool = true) {
        self.label = label
        style = json ? .json : bar && isatty(STDERR_FILENO) == 1 ? .bar : .lines
    }

    /// Shows `progress` if enough time has passed since the last time.
    func show(_ progress: BuildProgress) {
        let now = ContinuousClock.now
        let every: Duration = style == .bar ? .milliseconds(200) : style == .json ? .seconds(1) : .seconds(5)
        if let lastShown, now - lastShown < every { return }
        lastShown = now
        switch style {
        case .bar:
            // Through TerminalLine, which log lines also go through: they clear the bar first.
            TerminalLine.shared.show(Self.bar(progress) + " " + Self.figures(progress))
            drewBar = true
        case .lines:
            printError("\(label): " + Self.figures(progress))
        case .json:
            printJSON(Line(event: "progress", projection: label, progress: progress))
        }
    }

    /// Ends the bar's line, so what follows starts on its own.
    func finish() {
        if drewBar { TerminalLine.shared.finish() }
        drewBar = false
    }

    /// `[#####.....]  45%`.
    private static func bar(_ progress: BuildProgress) -> String {
        let fraction = progress.eventsTotal > 0 ? Double(progress.eventsDone) / Double(progress.eventsTotal) : 1
        let filled = Int((fraction * 30).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "]"
            + String(format: " %3.0f%%", fraction * 100)
    }

    /// `12000/100000 events, 8400 ev/s, ETA 10 s`.
    static func figures(_ progress: BuildProgress) -> String {
        var text =
            "\(progress.eventsDone)/\(progress.eventsTotal) events, "
            + String(format: "%.0f ev/s", progress.eventsPerSecond)
        if let left = progress.secondsLeft { text += String(format: ", ETA %.0f s", left) }
        return text
    }

    private struct Line: Encodable {
        var event: String
        var projection: String
        var progress: BuildProgress
    }
}

/// Prints `value` as one line of JSON with sorted keys.
func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return }
    // Written straight to the descriptor: a pipe reader sees each line as it is printed, not at exit.
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
