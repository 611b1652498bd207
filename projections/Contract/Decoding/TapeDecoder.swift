/// A `Decoder` over a `JSONTape`, for the payloads' own `init(from:)`: the fast path of `ContractJSON`.
///
/// `JSONDecoder` was a quarter of `projector`'s CPU in a replay of the log: it builds a dictionary of
/// every object's keys and a string of every value before the payload asks for any. This decoder finds
/// a field by comparing its bytes with the key, and makes a value only when it is read.
///
/// It decodes only what it is sure `JSONDecoder` decodes to the same value. Whatever it throws, the
/// caller decodes the document again with `JSONDecoder`, whose answer (the value, or the failure with
/// its field's path) is the one that counts: the fast path never has to reproduce `JSONDecoder`'s errors,
/// only to refuse what it is unsure of (a number that would underflow, a whole number written `1.0`).
final class TapeDecoder: Decoder {
    private let document: Document
    private let index: Int
    let codingPath: [any CodingKey]

    /// The parsed document and what every decoder of it shares.
    final class Document {
        let tape: JSONTape
        let userInfo: [CodingUserInfoKey: Any]

        init(_ tape: JSONTape, userInfo: [CodingUserInfoKey: Any]) {
            self.tape = tape
            self.userInfo = userInfo
        }
    }

    /// Decodes `type` from `bytes`, or throws when `JSONDecoder` must be asked instead.
    static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: [UInt8],
        userInfo: [CodingUserInfoKey: Any] = [:]
    ) throws -> T {
        try decode(type, from: try JSONTape(bytes), userInfo: userInfo)
    }

    /// Decodes `type` from a document already parsed, or throws when `JSONDecoder` must be asked instead.
    static func decode<T: Decodable>(
        _ type: T.Type,
        from tape: JSONTape,
        userInfo: [CodingUserInfoKey: Any] = [:]
    ) throws -> T {
        try T(from: TapeDecoder(Document(tape, userInfo: userInfo), index: 0, codingPath: []))
    }

    private init(_ document: Document, index: Int, codingPath: [any CodingKey]) {
        self.document = document
        self.index = index
        self.codingPath = codingPath
    }

    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try document.expect(.object, at: index, [String: Any].self, codingPath)
        return KeyedDecodingContainer(Keyed(document: document, object: index, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try document.expect(.array, at: index, [Any].self, codingPath)
        return Unkeyed(document: document, array: index, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        Single(document: document, index: index, codingPath: codingPath)
    }

    static func child(_ document: Document, _ index: Int, _ path: [any CodingKey]) -> TapeDecoder {
        TapeDecoder(document, index: index, codingPath: path)
    }
}

extension TapeDecoder.Document {
    func expect(
        _ kind: JSONTape.Kind,
        at index: Int,
        _ type: Any.Type,
        _ path: @autoclosure () -> [any CodingKey]
    )
        throws
    {
        let found = tape.nodes[index].kind
        // Nested too deep to be laid out: JSONDecoder, which refuses it, decides.
        guard !tape.nodes[index].opaque else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: ""))
        }
        guard found == kind else {
            if found == .null {
                throw DecodingError.valueNotFound(type, .init(codingPath: path(), debugDescription: ""))
            }
            throw DecodingError.typeMismatch(type, .init(codingPath: path(), debugDescription: ""))
        }
    }

    func isNull(_ index: Int) -> Bool { tape.nodes[index].kind == .null }

    func bool(at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        switch tape.nodes[index].kind {
        case .true: return true
        case .false: return false
        default:
            try expect(.true, at: index, Bool.self, path())
            return false
        }
    }

    func string(at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        try expect(.string, at: index, String.self, path())
        return tape.string(at: index)
    }

    /// A number as `Double`; refuses what `JSONDecoder` might read otherwise (infinity, underflow).
    func double(at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        try expect(.number, at: index, Double.self, path())
        let text = tape.numberText(at: index)
        guard let value = Double(text), value.isFinite, value == 0 || abs(value) >= Double.leastNormalMagnitude,
            value != 0 || !text.prefix(while: { $0 != "e" && $0 != "E" }).contains(where: { ("1"..."9").contains($0) })
        else { throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "")) }
        return value
    }

    /// A number as a whole number; only plain digits are read here (`JSONDecoder` also takes `1.0`, `1e2`).
    func integer<I: FixedWidthInteger>(at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> I {
        try expect(.number, at: index, I.self, path())
        guard let value = I(tape.numberText(at: index)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: ""))
        }
        return value
    }

    /// A value of any Decodable type at `index`, with the standard scalars read directly.
    func decode<T: Decodable>(_: T.Type, at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> T {
        if T.self == String.self { return try string(at: index, path()) as! T }
        if T.self == Double.self { return try double(at: index, path()) as! T }
        if T.self == Bool.self { return try bool(at: index, path()) as! T }
        return try T(from: TapeDecoder.child(self, index, path()))
    }
}
