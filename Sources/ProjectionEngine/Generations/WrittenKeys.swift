import ProjectionCore
import Synchronization

/// The rows a new generation's writer may have written, as a Bloom filter of their tables and keys: a
/// key it has certainly never written is certainly absent from a generation that started empty, so its
/// insert can go to COPY with no lookup and no ON CONFLICT (`TableWriter`).
///
/// A false "maybe written" only sends a row down the usual path; a key is never reported absent once
/// added. So every key the writer might write is added before its transaction commits, and none is ever
/// removed (a rolled-back batch leaves its keys in, which is safe). Its size is fixed, so memory stays
/// flat whatever the log's size: 8 MB, 4 bits per key, so about 1 % of keys take the usual path at 6M rows
/// in one build, and fewer below.
final class WrittenKeys: Sendable {
    private let bits: Mutex<[UInt64]>
    private let mask: UInt64
    private static let hashes = 4

    /// An empty filter of `2^log2Bits` bits.
    init(log2Bits: Int = 26) {
        bits = Mutex([UInt64](repeating: 0, count: 1 << (log2Bits - 6)))
        mask = (UInt64(1) << UInt64(log2Bits)) - 1
    }

    /// For each row of `table`, whether its key was certainly absent (never added) before this call; then
    /// adds the keys of the rows marked `adds`. Each key is hashed once.
    func absentThenAdd(_ table: String, _ rows: some Collection<(key: [SQLValue], adds: Bool)>) -> [Bool] {
        let probes = rows.map { (Self.probes(table, $0.key, mask: mask), $0.adds) }
        return bits.withLock { bits in
            // Every answer first: a key repeated in `rows` cannot make a later row look written.
            let absent = probes.map { probe, _ in !probe.allSatisfy { bits[Int($0 >> 6)] & (1 << ($0 & 63)) != 0 } }
            for (probe, adds) in probes where adds {
                for bit in probe { bits[Int(bit >> 6)] |= 1 << (bit & 63) }
            }
            return absent
        }
    }

    /// The bit positions of a key: double hashing of one 64-bit hash (Kirsch and Mitzenmacher).
    private static func probes(_ table: String, _ key: [SQLValue], mask: UInt64) -> [UInt64] {
        var hasher = Hasher()
        hasher.combine(table)
        hasher.combine(key)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let (first, step) = (hash & 0xFFFF_FFFF, (hash >> 32) | 1)
        return (0..<UInt64(hashes)).map { (first &+ $0 &* step) & mask }
    }
}
