/// A JSON document checked by the rules PostgreSQL's `jsonb` applies, before anything is sent to it.
///
/// `import` and `append` check every document here first, so a document the server would refuse is
/// refused with a reason and a line number, and its text never reaches the server's log (PostgreSQL's
/// CONTEXT line quotes the input it failed to parse). The rules:
/// - exactly one value by RFC 8259, in UTF-8 (no byte-order mark, no trailing comma, no comment);
/// - arrays and objects nested at most `JSONTape.maximumDepth` deep (`jsonb` goes deeper, but the
///   projections' decoders do not, so such an event could only be dead-lettered);
/// - no string or key holding `\u0000`, which `jsonb` cannot store;
/// - every number within the range of `numeric`, which `jsonb` stores numbers as;
/// - no object naming a key twice: `jsonb` keeps only the last, so what was meant is ambiguous.
///
/// Reasons say which rule broke and where (a byte offset), never the text.
package struct StorableJSON {
    private let tape: JSONTape

    /// Why a document was refused: the rule and where, never the value.
    package struct Problem: Error, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    /// A JSON value's type.
    package enum Kind: Equatable, Sendable {
        case null, bool, number, string, array, object
    }

    /// Checks `bytes` by every rule above.
    package init(_ bytes: [UInt8]) throws(Problem) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw Problem(reason: "not valid JSON: it starts with a byte-order mark, which JSON text must not have")
        }
        do {
            tape = try JSONTape(bytes)
        } catch {
            // Only on this rare path: a separate check makes the common mistake's reason plain.
            guard String(validating: bytes, as: UTF8.self) != nil else { throw Problem(reason: "not valid UTF-8") }
            throw Problem(reason: "not valid JSON (RFC 8259): refused at byte \(error.offset + 1)")
        }
        for index in tape.nodes.indices {
            let node = tape.nodes[index]
            switch node.kind {
            case .string where node.needsCare && tape.string(at: index).utf8.contains(0):
                throw Problem(reason: "a string holds \\u0000, which PostgreSQL's jsonb cannot store")
            case .number where !NumericRange.holds(tape.bytes[Int(node.start)..<Int(node.end)]):
                throw Problem(
                    reason: "a number (at byte \(node.start + 1)) is out of the range of PostgreSQL's numeric"
                )
            case .array where node.opaque, .object where node.opaque:
                throw Problem(
                    reason: "nested deeper than \(JSONTape.maximumDepth) arrays and objects (at byte \(node.start + 1))"
                )
            case .object:
                try checkKeysAreUnique(object: index)
            default:
                break
            }
        }
    }

    private func checkKeysAreUnique(object: Int) throws(Problem) {
        let count = Int(tape.nodes[object].count)
        // Compared one by one while the object is small, as most are: hashing every key into a set was a
        // third of `import`'s CPU (perf, 488k generated events).
        var few: [String] = []
        var many = Set<String>()
        if count <= Self.fewKeys { few.reserveCapacity(count) }
        var position = object + 1
        for _ in 0..<count {
            let key = tape.string(at: position)
            let isNew: Bool
            if count <= Self.fewKeys {
                isNew = !few.contains(key)
                few.append(key)
            } else {
                isNew = many.insert(key).inserted
            }
            guard isNew else {
                throw Problem(
                    reason: "an object names a key twice (at byte \(tape.nodes[position].start)); "
                        + "jsonb would keep only the last"
                )
            }
            position = Int(tape.nodes[position + 1].next)
        }
    }

    /// Up to this many keys, an object's keys are compared one by one rather than hashed.
    private static let fewKeys = 16

    /// The document's top-level value's type.
    package var kind: Kind { Self.kind(of: tape.nodes[0].kind) }

    /// A field of the top-level object, when it is one and has the field.
    package func field(_ name: String) -> Field? {
        guard tape.nodes[0].kind == .object else { return nil }
        var position = 1
        for _ in 0..<tape.nodes[0].count {
            if tape.key(at: position, is: name) { return Field(tape: tape, index: position + 1) }
            position = Int(tape.nodes[position + 1].next)
        }
        return nil
    }

    /// One top-level field's value.
    package struct Field {
        fileprivate let tape: JSONTape
        fileprivate let index: Int

        /// The value's type.
        package var kind: Kind { StorableJSON.kind(of: tape.nodes[index].kind) }

        /// The value's JSON text as the producer wrote it (numbers keep every digit, nothing is re-encoded).
        package var text: String {
            let node = tape.nodes[index]
            let start = node.kind == .string ? Int(node.start) - 1 : Int(node.start)
            let end = node.kind == .string ? Int(node.end) + 1 : Int(node.end)
            return String(decoding: tape.bytes[start..<end], as: UTF8.self)
        }

        /// The string, unescaped, when the value is one.
        package var string: String? { kind == .string ? tape.string(at: index) : nil }
    }

    private static func kind(of kind: JSONTape.Kind) -> Kind {
        switch kind {
        case .null: .null
        case .true, .false: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }
}

/// The range of PostgreSQL's `numeric` (`numeric_in` and `make_result` in its numeric.c): at most 131,072
/// digits before the decimal point and 16,383 after, once the exponent is applied, and an exponent
/// below 2^30 in size whatever the digits.
enum NumericRange {
    static let maximumDigitsBeforePoint = 131_072
    static let maximumScale = 16_383
    static let maximumExponent = Int(Int32.max / 2)

    /// Whether `number`, a JSON number the tape accepted, is one `numeric` stores.
    static func holds(_ number: ArraySlice<UInt8>) -> Bool {
        var index = number.startIndex
        func digits() -> ArraySlice<UInt8> {
            let start = index
            while index < number.endIndex, number[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return number[start..<index]
        }
        if index < number.endIndex, number[index] == UInt8(ascii: "-") { index += 1 }
        let whole = digits()
        var fraction = number[index..<index]
        if index < number.endIndex, number[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digits()
        }
        var exponent = 0
        if index < number.endIndex, number[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var negative = false
            if index < number.endIndex, number[index] == UInt8(ascii: "+") || number[index] == UInt8(ascii: "-") {
                negative = number[index] == UInt8(ascii: "-")
                index += 1
            }
            // Stop adding digits once past the limit: the value no longer matters, only that it is too large.
            for digit in digits() where exponent < maximumExponent {
                exponent = exponent * 10 + Int(digit &- UInt8(ascii: "0"))
            }
            if negative { exponent = -exponent }
        }
        guard abs(exponent) < maximumExponent else { return false }
        // Both counts are below the document's length (under 2^31) and the exponent below 2^30: no overflow.
        guard fraction.count - exponent <= maximumScale else { return false }
        let significantWhole = whole.drop { $0 == UInt8(ascii: "0") }
        let decimalWeight: Int
        if !significantWhole.isEmpty {
            decimalWeight = significantWhole.count - 1 + exponent
        } else if let first = fraction.firstIndex(where: { $0 != UInt8(ascii: "0") }) {
            decimalWeight = -(first - fraction.startIndex + 1) + exponent
        } else {
            return true  // zero: no weight to overflow
        }
        return decimalWeight < maximumDigitsBeforePoint
    }
}
