import Dispatch
import Foundation
import PostgresTestSupport
import Testing

/// On a terminal (a pseudo-terminal from util-linux's `script`), `projector rebuild` draws a progress bar;
/// log lines printed meanwhile must clear its line first, never run on after the bar's text.
@Suite struct ProgressBarTests {
    @Test func logLinesNeverBreakTheProgressBarOnATerminal() async throws {
        try await TestDatabase.withFreshDatabase { url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "15", "--into-log"], database: url).status == 0
            )
            #expect(
                try await ProjectorBinary.run(["run", "--only", "timeline", "--exit-when-caught-up"], database: url)
                    .status == 0
            )
            // Debug logs a line per batch, so lines arrive while the bar is shown.
            let command = "\(ProjectorBinary.path) rebuild timeline --batch-size 20 --log-level debug"
            let terminal = try await Self.onTerminal(command, database: url)
            #expect(terminal.status == 0, "\(terminal.output)")
            let bar = try Regex(#"\[[#.]{30}\]"#)
            let logLine = try Regex(#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\S* (trace|debug|info|notice|warning|error)"#)
            var barsThenLogs = 0
            // The terminal turns "\n" into "\r\n"; a lone "\r" (the bar's redraw) stays within its line.
            for line in terminal.output.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n") {
                // What stays visible: the text after the last "clear to end of line" (ESC [ K).
                let segments = line.components(separatedBy: "\u{1B}[K")
                let visible = segments.last ?? ""
                #expect(
                    !(visible.contains(bar) && visible.contains(logLine)),
                    "a log line ran on after the bar: \(visible.debugDescription)"
                )
                if segments.dropLast().contains(where: { $0.contains(bar) }) && visible.contains(logLine) {
                    barsThenLogs += 1
                }
            }
            // The case that matters happened: a log line came while a bar was on the screen.
            #expect(barsThenLogs > 0, "\(terminal.output.debugDescription)")
        }
    }

    /// Runs `command` under `script`, which gives it a pseudo-terminal, and returns what the terminal showed.
    static func onTerminal(_ command: String, database: String) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
                        process.arguments = ["--quiet", "--return", "--command", command, "/dev/null"]
                        var environment = ProcessInfo.processInfo.environment
                        environment["DATABASE_URL"] = database
                        process.environment = environment
                        let output = Pipe()
                        process.standardOutput = output
                        process.standardError = FileHandle.nullDevice
                        process.standardInput = FileHandle.nullDevice
                        try process.run()
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
                    }
                )
            }
        }
    }
}
