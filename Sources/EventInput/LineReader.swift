import Foundation

/// Splits bytes into lines, numbering them from 1, and never holds more of a line than a limit.
///
/// A line over `maxLineBytes` is not kept: the reader remembers that it is too long, drops its
/// bytes as they come, and reports it with its number once its end is found. So a producer's file of
/// one endless line (`/dev/zero`, say) costs `maxLineBytes + 1` bytes of a line plus one chunk, not
/// the line. Lines come as bytes: whether they are UTF-8 is the caller's to check, so that a bad byte
/// is reported with its line number instead of being stored as U+FFFD.
package struct LineReader {
    /// One line, without its line ending (`\n`, or `\r\n`).
    package struct Line {
        /// 1 for the first line.
        package var number: Int
        /// The line's bytes, or nil when it was longer than `maxLineBytes` (and was dropped).
        package var bytes: ArraySlice<UInt8>?
        /// How many bytes the line has, whether kept or dropped.
        package var length: Int
    }

    /// The next chunk of input, or nil (or an empty chunk) at its end.
    package typealias Source = () throws -> [UInt8]?

    private let source: Source
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline goes on: bytes before it hold none.
    private var scanned = 0
    /// The current line went over the limit: its bytes are dropped up to its newline, and counted here.
    private var dropping = false
    private var dropped = 0
    private var finished = false
    private var number = 0

    /// Lines of the chunks `source` returns; longer lines than `maxLineBytes` come without their bytes.
    package init(maxLineBytes: Int, source: @escaping Source) {
        precondition(maxLineBytes >= 0, "maxLineBytes must not be negative")
        self.maxLineBytes = maxLineBytes
        self.source = source
    }

    /// How many bytes of the current line the reader holds: at most `maxLineBytes + 1`, plus the chunk
    /// it has just read.
    package var heldLineBytes: Int { buffer.count - start }

    /// The next line, or nil at the end of the input.
    ///
    /// - Throws: what the source throws.
    package mutating func next() throws -> Line? {
        while true {
            // Only the bytes read since the last search: a long line takes many chunks.
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                defer {
                    start = newline + 1
                    scanned = start
                    dropping = false
                    dropped = 0
                }
                number += 1
                return line(buffer[start..<newline])
            }
            if finished {
                guard start < buffer.count || dropping else { return nil }
                defer {
                    start = buffer.count
                    dropping = false
                    dropped = 0
                }
                number += 1
                return line(buffer[start...])
            }
            buffer.removeFirst(start)
            start = 0
            // A line already over the limit (with a byte to spare for a `\r`) is dropped, not kept.
            // `count - 1 > max`, not `count > max + 1`: a limit of `Int.max` must not overflow.
            if dropping || buffer.count - 1 > maxLineBytes {
                dropping = true
                // A last `\r` is kept: it does not count if `\n` comes next.
                let kept = buffer.last == 0x0D ? 1 : 0
                dropped += buffer.count - kept
                buffer.removeFirst(buffer.count - kept)
            }
            scanned = buffer.count
            if let chunk = try source(), !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { finished = true }
        }
    }

    /// The line whose bytes still held are `rest` (a final `\r` is dropped, as from `\r\n`): kept, or
    /// counted and dropped when over the limit.
    private func line(_ rest: ArraySlice<UInt8>) -> Line {
        let rest = rest.last == 0x0D ? rest.dropLast() : rest
        let length = dropped + rest.count
        return Line(number: number, bytes: dropping || length > maxLineBytes ? nil : rest, length: length)
    }
}

extension LineReader {
    /// The lines of the regular file at `path`, read 1 MiB at a time.
    ///
    /// - Throws: `InputFailure` when `path` is missing, a directory, or cannot be opened; reading
    ///   later throws it when the file cannot be read.
    package init(path: String, maxLineBytes: Int) throws(InputFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputFailure("cannot open \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw InputFailure("cannot import \(path): it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputFailure("cannot open \(path) for reading")
        }
        self.init(maxLineBytes: maxLineBytes) {
            do {
                return try handle.read(upToCount: 1 << 20).map(Array.init)
            } catch {
                throw InputFailure("cannot read \(path): \(error.localizedDescription)")
            }
        }
    }
}

/// An input that cannot be read; its description names the path and the cause, never the content.
package struct InputFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
