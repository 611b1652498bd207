import Foundation

/// Reads a regular file line by line in large chunks, numbering lines from 1.
///
/// Lines come as bytes: whether they are UTF-8 is the caller's to check, so that a bad byte is
/// reported with its line number instead of being stored as U+FFFD.
struct LineReader {
    /// One line without its line ending.
    struct Line {
        /// 1 for the first line.
        var number: Int
        /// The bytes between the line endings.
        var bytes: ArraySlice<UInt8>
    }

    private let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next newline goes on: bytes before it hold none.
    private var scanned = 0
    private var finished = false
    private var number = 0

    /// Opens `path`; a missing file, a directory or one that cannot be opened is a `CommandFailure`.
    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("cannot open \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw CommandFailure("cannot import \(path): it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure("cannot open \(path) for reading")
        }
        self.path = path
        self.handle = handle
    }

    /// The next line, or nil at the end of the file.
    ///
    /// - Throws: `CommandFailure` when the file cannot be read.
    mutating func next() throws -> Line? {
        while true {
            // Only the bytes read since the last search: a long line takes many chunks.
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                defer {
                    start = newline + 1
                    scanned = start
                }
                number += 1
                return Line(number: number, bytes: buffer[start..<end])
            }
            if finished {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                number += 1
                return Line(number: number, bytes: buffer[start...])
            }
            buffer.removeFirst(start)
            start = 0
            scanned = buffer.count
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
            }
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { finished = true }
        }
    }
}
