/// How `import` cuts a file into transactions, with a hash of each batch's lines.
///
/// The check pass parses every line and records each batch's hash; the import pass reads the file again and
/// compares, so a file changed between the passes is caught before the batch that changed is sent. One hash
/// per batch: memory stays bounded by bytes, not by the file's line count.
struct ImportBatches {
    /// Events per batch at most (`--batch-size`).
    let maxEvents: Int
    /// Bytes of JSON per batch at most.
    let maxBytes: Int
    private(set) var count = 0
    private(set) var bytes = 0
    private var hasher = Hasher()

    init(maxEvents: Int, maxBytes: Int) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }

    /// Whether the batch must be cut before a line of `lineBytes` bytes joins it.
    func mustCut(before lineBytes: Int) -> Bool {
        count > 0 && (count == maxEvents || bytes + lineBytes > maxBytes)
    }

    /// Adds a line to the batch.
    mutating func add(_ line: ArraySlice<UInt8>) {
        count += 1
        bytes += line.count
        hasher.combine(line.count)
        line.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Ends the batch: its hash; the next batch starts empty.
    mutating func cut() -> Int {
        let hash = hasher.finalize()
        (count, bytes, hasher) = (0, 0, Hasher())
        return hash
    }
}
