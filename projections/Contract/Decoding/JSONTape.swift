/// One JSON document, checked and laid out flat for `TapeDecoder`: a node per value, in document order.
///
/// Parsing checks everything `JSONDecoder` checks before it decodes (the grammar of RFC 8259, UTF-8,
/// escapes and surrogate pairs, nesting depth), so that reading a node afterwards cannot fail on its
/// text, only on its type. Values stay bytes until a payload asks for them: a string becomes a `String`
/// when it is decoded, a number a `Double` or `Int`, and a field nobody reads costs only its scan.
struct JSONTape {
    enum Kind: UInt8 {
        case null, `true`, `false`, number, string, array, object
    }

    /// A value: its bytes (a string's without its quotes), and where the next sibling's node is.
    struct Node {
        var kind: Kind
        /// A string holds a backslash escape, or a byte above ASCII: it needs more than a copy.
        var needsCare: Bool
        /// An array or object nested deeper than `maximumDepth`: checked, but not laid out, so no decoder
        /// may read it (only a field nobody reads may be that deep).
        var opaque = false
        var start: Int32
        var end: Int32
        /// The index after this value's subtree: its next sibling, or its parent's end.
        var next: Int32
        /// An array's elements; an object's fields (each a key node, then the value's subtree).
        var count: Int32
    }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []

    /// Why a document is not read here; the caller decodes it with `JSONDecoder`, which says precisely.
    struct Refusal: Error {
        /// The byte offset the parser had reached: a place to point at, never the bytes themselves.
        var offset = 0
    }

    /// How deeply arrays and objects are laid out: `JSONDecoder`'s limit. Deeper ones become one opaque node.
    static let maximumDepth = 512

    /// The tape of `bytes`, which must hold exactly one JSON value (surrounding whitespace allowed).
    init(_ bytes: [UInt8]) throws(Refusal) {
        // Offsets are kept as `Int32`: a larger document (far over any event's limit) is refused, not truncated.
        guard bytes.count < Int32.max else { throw Refusal() }
        self.bytes = bytes
        nodes.reserveCapacity(bytes.count / 8 + 4)
        var parser = Parser(bytes: bytes)
        do throws(Refusal) {
            try parser.value(into: &nodes, depth: 0)
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw Refusal() }
        } catch {
            throw Refusal(offset: parser.index)
        }
    }

    /// The parser; `JSONTape+Deep.swift` adds the part for containers nested past `maximumDepth`.
    struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(into nodes: inout [Node], depth: Int) throws(Refusal) {
            skipWhitespace()
            guard index < bytes.count else { throw Refusal() }
            switch bytes[index] {
            case UInt8(ascii: "{"): try container(.object, into: &nodes, depth: depth)
            case UInt8(ascii: "["): try container(.array, into: &nodes, depth: depth)
            case UInt8(ascii: "\""): try string(into: &nodes)
            case UInt8(ascii: "n"): try literal("null", .null, into: &nodes)
            case UInt8(ascii: "t"): try literal("true", .true, into: &nodes)
            case UInt8(ascii: "f"): try literal("false", .false, into: &nodes)
            default: try number(into: &nodes)
            }
        }

        private mutating func container(_ kind: Kind, into nodes: inout [Node], depth: Int) throws(Refusal) {
            guard depth < JSONTape.maximumDepth else { return try opaqueContainer(kind, into: &nodes) }
            let start = index
            let at = nodes.count
            nodes.append(Node(kind: kind, needsCare: false, start: Int32(start), end: 0, next: 0, count: 0))
            index += 1
            let close = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            var count: Int32 = 0
            skipWhitespace()
            if index < bytes.count, bytes[index] == close {
                index += 1
            } else {
                while true {
                    if kind == .object {
                        skipWhitespace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Refusal() }
                        try string(into: &nodes)
                        skipWhitespace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Refusal() }
                        index += 1
                    }
                    try value(into: &nodes, depth: depth + 1)
                    count += 1
                    skipWhitespace()
                    guard index < bytes.count else { throw Refusal() }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                    } else if bytes[index] == close {
                        index += 1
                        break
                    } else {
                        throw Refusal()
                    }
                }
            }
            nodes[at].end = Int32(index)
            nodes[at].next = Int32(nodes.count)
            nodes[at].count = count
        }

        private mutating func literal(_ text: StaticString, _ kind: Kind, into nodes: inout [Node]) throws(Refusal) {
            let start = index
            try scanLiteral(text)
            append(kind, from: start, to: index, into: &nodes)
        }

        /// Consumes `text`, or refuses.
        mutating func scanLiteral(_ text: StaticString) throws(Refusal) {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Refusal() }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] {
                throw Refusal()
            }
            index += count
        }

        private mutating func number(into nodes: inout [Node]) throws(Refusal) {
            let start = index
            try scanNumber()
            append(.number, from: start, to: index, into: &nodes)
        }

        /// Consumes `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, or refuses.
        mutating func scanNumber() throws(Refusal) {
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw Refusal() }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                guard digits() > 0 else { throw Refusal() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw Refusal() }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard digits() > 0 else { throw Refusal() }
            }
        }

        private mutating func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }

        private mutating func string(into nodes: inout [Node]) throws(Refusal) {
            let (start, needsCare) = try scanString()
            let node = Node(
                kind: .string,
                needsCare: needsCare,
                start: Int32(start),
                end: Int32(index - 1),
                next: Int32(nodes.count + 1),
                count: 0
            )
            nodes.append(node)
        }

        /// Consumes a string, checked: no raw control characters, valid escapes and surrogate pairs, valid
        /// UTF-8. Returns where its text starts (after the quote) and whether it needs more than a copy.
        mutating func scanString() throws(Refusal) -> (start: Int, needsCare: Bool) {
            index += 1
            let start = index
            var needsCare = false
            while true {
                guard index < bytes.count else { throw Refusal() }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { throw Refusal() }
                if byte == UInt8(ascii: "\\") {
                    needsCare = true
                    try escape()
                } else if byte >= 0x80 {
                    needsCare = true
                    try multibyte()
                } else {
                    index += 1
                }
            }
            index += 1
            return (start, needsCare)
        }

        private mutating func escape() throws(Refusal) {
            guard index + 1 < bytes.count else { throw Refusal() }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
            case UInt8(ascii: "u"):
                let unit = try hex4(at: index + 2)
                index += 6
                if (0xD800..<0xDC00).contains(unit) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u"),
                        (0xDC00..<0xE000).contains(try hex4(at: index + 2))
                    else { throw Refusal() }
                    index += 6
                } else if (0xDC00..<0xE000).contains(unit) {
                    throw Refusal()
                }
            default:
                throw Refusal()
            }
        }

        private func hex4(at position: Int) throws(Refusal) -> UInt32 {
            guard position + 4 <= bytes.count else { throw Refusal() }
            var unit: UInt32 = 0
            for byte in bytes[position..<(position + 4)] {
                unit <<= 4
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): unit |= UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): unit |= UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): unit |= UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw Refusal()
                }
            }
            return unit
        }

        /// One UTF-8 sequence of two to four bytes, by the table of Unicode 15 §3.9 (no overlongs, no surrogates).
        private mutating func multibyte() throws(Refusal) {
            let lead = bytes[index]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: throw Refusal()
            }
            guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { throw Refusal() }
            for offset in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[index + offset]) {
                throw Refusal()
            }
            index += length
        }

        func append(_ kind: Kind, from start: Int, to end: Int, into nodes: inout [Node]) {
            nodes.append(
                Node(
                    kind: kind,
                    needsCare: false,
                    start: Int32(start),
                    end: Int32(end),
                    next: Int32(nodes.count + 1),
                    count: 0
                )
            )
        }
    }
}
