extension JSONTape.Parser {
    /// An array or object nested past `maximumDepth`, checked without recursion and kept as one opaque
    /// node.
    ///
    /// `jsonb` stores such a document, and the contract ignores unknown fields, so a field nobody reads
    /// may be that deep; the recursive parser would overflow no stack here, but `JSONDecoder` (the
    /// reference) refuses past 512. Decoders refuse to read an opaque node, so a known field that deep
    /// still fails the event. The nesting is tracked on a heap stack of closing brackets, bounded by the
    /// document's length.
    mutating func opaqueContainer(_ kind: JSONTape.Kind, into nodes: inout [JSONTape.Node]) throws(JSONTape.Refusal) {
        let start = index
        var closers: [UInt8] = []
        // Each turn starts where a value must begin; `afterValue` finishes what a completed value ends.
        scan: while true {
            skipWhitespace()
            guard index < bytes.count else { throw JSONTape.Refusal() }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                closers.append(close)
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == close {
                    index += 1
                    closers.removeLast()
                    if try afterValue(&closers) { break scan }
                } else if close == UInt8(ascii: "}") {
                    try key()
                }
                continue
            case UInt8(ascii: "\""): _ = try scanString()
            case UInt8(ascii: "n"): try scanLiteral("null")
            case UInt8(ascii: "t"): try scanLiteral("true")
            case UInt8(ascii: "f"): try scanLiteral("false")
            default: try scanNumber()
            }
            if try afterValue(&closers) { break scan }
        }
        append(kind, from: start, to: index, into: &nodes)
        nodes[nodes.count - 1].opaque = true
    }

    /// After a value: closes every container it ends, then consumes the comma (and, in an object, the
    /// next key) before the next value. True once the outermost container is closed.
    private mutating func afterValue(_ closers: inout [UInt8]) throws(JSONTape.Refusal) -> Bool {
        while true {
            guard let close = closers.last else { return true }
            skipWhitespace()
            guard index < bytes.count else { throw JSONTape.Refusal() }
            if bytes[index] == close {
                index += 1
                closers.removeLast()
            } else if bytes[index] == UInt8(ascii: ",") {
                index += 1
                if close == UInt8(ascii: "}") { try key() }
                return false
            } else {
                throw JSONTape.Refusal()
            }
        }
    }

    /// An object's key and its colon.
    private mutating func key() throws(JSONTape.Refusal) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw JSONTape.Refusal() }
        _ = try scanString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw JSONTape.Refusal() }
        index += 1
    }
}
