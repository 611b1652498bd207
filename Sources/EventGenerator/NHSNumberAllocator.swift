/// Hands out unique NHS numbers with valid Modulus 11 check digits, in a seed-dependent order.
///
/// The first ~909 000 numbers come from the `999` range, which the NHS reserves for test data and never issues to
/// people; later ones from the rest of the `9` range below it. Each base (the first nine digits) is visited at
/// most once because it comes from an affine bijection of a counter; bases whose check digit would be 10 are
/// skipped, as the NHS does.
struct NHSNumberAllocator {
    /// How many bases the `999` range holds (six free digits).
    private static let testRangeSize = 1_000_000
    /// How many bases `900 000 000 ..< 999 000 000` holds.
    private static let wideRangeSize = 99_000_000
    /// Coprime to 10^6, so `k ↦ k·a + b mod 10^6` visits every base once.
    private static let testRangeMultiplier = 387_211
    /// Coprime to 99 000 000 = 2^6·3^2·5^6·11.
    private static let wideRangeMultiplier = 7_654_321

    private var counter = 0
    private let testRangeOffset: Int
    private let wideRangeOffset: Int

    /// Creates an allocator whose order depends on `seed`.
    init(seed: UInt64) {
        let hash = splitMix64(seed ^ 0xA54F_F53A_5F1D_36F1)
        testRangeOffset = Int(hash % UInt64(Self.testRangeSize))
        wideRangeOffset = Int((hash >> 20) % UInt64(Self.wideRangeSize))
    }

    /// The next unused valid NHS number, 10 digits without spaces.
    mutating func next() -> String {
        while true {
            let base = nextBase()
            if let check = Self.checkDigit(base: base) {
                return Self.text(base: base, check: check)
            }
        }
    }

    /// The Modulus 11 check digit of a nine-digit base (weights 10…2), or `nil` when the remainder makes it 10.
    static func checkDigit(base: Int) -> Int? {
        var remaining = base
        var sum = 0
        for weight in 2...10 {
            sum += (remaining % 10) * weight
            remaining /= 10
        }
        let check = 11 - sum % 11
        switch check {
        case 11: return 0
        case 10: return nil
        default: return check
        }
    }

    private mutating func nextBase() -> Int {
        defer { counter += 1 }
        if counter < Self.testRangeSize {
            let permuted = (counter * Self.testRangeMultiplier + testRangeOffset) % Self.testRangeSize
            return 999_000_000 + permuted
        }
        let wideCounter = counter - Self.testRangeSize
        precondition(wideCounter < Self.wideRangeSize, "NHSNumberAllocator: more patients than NHS numbers")
        let permuted = (wideCounter * Self.wideRangeMultiplier + wideRangeOffset) % Self.wideRangeSize
        return 900_000_000 + permuted
    }

    private static func text(base: Int, check: Int) -> String {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 10)
        var remaining = base
        for index in stride(from: 8, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        digits[9] = UInt8(ascii: "0") + UInt8(check)
        return String(decoding: digits, as: UTF8.self)
    }
}
