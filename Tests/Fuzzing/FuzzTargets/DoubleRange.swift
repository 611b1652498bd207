/// Whether a document may hold a number that `Double` cannot hold (an exponent, or more digits in a
/// row than a `Double` keeps): `JSONSerialization` rejects those where `jsonb` (and `StorableJSON`)
/// accept them, so it is no reference for such a document. Crude on purpose, so it cannot be wrong
/// in the other direction; the corpus test holds those documents to PostgreSQL itself.
enum DoubleRange {
    static func mayBeExceeded(in bytes: [UInt8]) -> Bool {
        var run = 0
        for (index, byte) in bytes.enumerated() {
            if byte &- UInt8(ascii: "0") < 10 {
                run += 1
                if run > 15 { return true }
            } else {
                if byte | 0x20 == UInt8(ascii: "e"), run > 0, index + 1 < bytes.count { return true }
                run = 0
            }
        }
        return false
    }
}
