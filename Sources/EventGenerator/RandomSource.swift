/// Scrambles 64 bits with the SplitMix64 finaliser, a bijection used to derive seeds and hashes.
@inline(__always)
func splitMix64(_ input: UInt64) -> UInt64 {
    var z = input
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// A xoshiro256** generator: fast, seedable, and identical on every platform and Swift release.
///
/// The standard library's `random(in:using:)` algorithms are not promised to stay the same across releases, so
/// every draw here goes through our own arithmetic to keep generated output byte-identical over time.
struct RandomSource {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator for one independent stream (a patient) of one seed.
    init(seed: UInt64, stream: UInt64) {
        var state = splitMix64(seed ^ 0x6A09_E667_F3BC_C908) &+ stream &* 0x9E37_79B9_7F4A_7C15
        func nextSeedWord() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return splitMix64(state)
        }
        s0 = nextSeedWord()
        s1 = nextSeedWord()
        s2 = nextSeedWord()
        s3 = nextSeedWord()
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound`; `bound` must be positive.
    mutating func int(below bound: Int) -> Int {
        // Lemire's multiply-high; the bias for our small bounds is below 2^-50, irrelevant for synthetic data.
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform 64-bit integer in `range`.
    mutating func int64(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        return range.lowerBound + Int64(next().multipliedFullWidth(by: width).high)
    }

    /// A uniform value in `0 ..< 1` with 53 bits of precision.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `true` with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// One element of a non-empty array, chosen uniformly.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[int(below: elements.count)]
    }

    /// A string of `count` decimal digits whose first digit is not zero.
    mutating func digits(_ count: Int) -> String {
        var text = String(int(in: 1...9))
        for _ in 1..<count {
            text.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(int(below: 10)))))
        }
        return text
    }

    /// A random version-4 UUID in canonical lowercase text form (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
    mutating func uuid() -> String {
        let high = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for nibble in 0..<32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = nibble < 16 ? high : low
                let value = UInt8(truncatingIfNeeded: word >> UInt64(60 - (nibble % 16) * 4)) & 0xF
                buffer[index] = value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
                index += 1
            }
            return index
        }
    }

    @inline(__always)
    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
