import EventInput

/// `LineReader`, fed the input in chunks, gives the lines a split of the whole input gives, drops exactly
/// the lines over its limit, and never holds more of a line than the limit, a byte, and one chunk.
///
/// The first byte is the limit (0 to 255 bytes), the second the chunk size (1 to 16); the rest is the input.
enum LineReaderOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard bytes.count >= 2 else { return [] }
        let limit = Int(bytes[0])
        let chunkSize = Int(bytes[1] % 16) + 1
        let input = Array(bytes[2...])
        var offset = 0
        var reader = LineReader(maxLineBytes: limit) {
            let chunk = Array(input[offset..<min(offset + chunkSize, input.count)])
            offset += chunk.count
            return chunk
        }
        var expected = reference(input)[...]
        var problems: [String] = []
        while let line = try? reader.next() {
            if reader.heldLineBytes > limit + 1 + chunkSize { problems.append("held more of a line than the bound") }
            guard let wanted = expected.popFirst() else {
                problems.append("a line more than the input holds")
                break
            }
            if line.number != wanted.number { problems.append("line \(wanted.number) came numbered \(line.number)") }
            if line.length != wanted.bytes.count { problems.append("line \(wanted.number) has another length") }
            let kept = wanted.bytes.count <= limit
            if kept, line.bytes.map(Array.init) != wanted.bytes { problems.append("line \(wanted.number) differs") }
            if !kept, line.bytes != nil { problems.append("line \(wanted.number) is over the limit but was kept") }
        }
        if !expected.isEmpty { problems.append("\(expected.count) lines were never returned") }
        return problems
    }

    /// The lines of `input`: split at each `\n`, a final `\r` dropped, a last line without `\n` kept.
    private static func reference(_ input: [UInt8]) -> [(number: Int, bytes: [UInt8])] {
        var pieces = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.enumerated().map { index, piece in
            (index + 1, piece.last == 0x0D ? Array(piece.dropLast()) : piece)
        }
    }
}
