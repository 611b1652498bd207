extension TapeDecoder {
    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let document: Document
        let object: Int
        let codingPath: [any CodingKey]

        private var tape: JSONTape { document.tape }

        /// The first field named `key`, as `JSONDecoder` takes the first of a repeated field.
        private func valueIndex(of key: Key) -> Int? {
            let name = key.stringValue
            var position = object + 1
            for _ in 0..<tape.nodes[object].count {
                if tape.key(at: position, is: name) { return position + 1 }
                position = Int(tape.nodes[position + 1].next)
            }
            return nil
        }

        private func value(of key: Key) throws -> Int {
            guard let index = valueIndex(of: key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: ""))
            }
            return index
        }

        var allKeys: [Key] {
            var keys: [Key] = []
            var position = object + 1
            for _ in 0..<tape.nodes[object].count {
                if let key = Key(stringValue: tape.string(at: position)) { keys.append(key) }
                position = Int(tape.nodes[position + 1].next)
            }
            return keys
        }

        func contains(_ key: Key) -> Bool { valueIndex(of: key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(of: key)) }

        func decode(_: Bool.Type, forKey key: Key) throws -> Bool {
            try document.bool(at: try value(of: key), codingPath + [key])
        }

        func decode(_: String.Type, forKey key: Key) throws -> String {
            try document.string(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Double.Type, forKey key: Key) throws -> Double {
            try document.double(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Float.Type, forKey key: Key) throws -> Float {
            throw DecodingError.typeMismatch(Float.self, .init(codingPath: codingPath + [key], debugDescription: ""))
        }

        func decode(_: Int.Type, forKey key: Key) throws -> Int {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Int8.Type, forKey key: Key) throws -> Int8 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Int16.Type, forKey key: Key) throws -> Int16 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Int32.Type, forKey key: Key) throws -> Int32 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: Int64.Type, forKey key: Key) throws -> Int64 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: UInt.Type, forKey key: Key) throws -> UInt {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try document.integer(at: try value(of: key), codingPath + [key])
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try document.decode(type, at: try value(of: key), codingPath + [key])
        }

        func decodeIfPresent(_: String.Type, forKey key: Key) throws -> String? {
            guard let index = valueIndex(of: key), !document.isNull(index) else { return nil }
            return try document.string(at: index, codingPath + [key])
        }

        func decodeIfPresent(_: Double.Type, forKey key: Key) throws -> Double? {
            guard let index = valueIndex(of: key), !document.isNull(index) else { return nil }
            return try document.double(at: index, codingPath + [key])
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let index = valueIndex(of: key), !document.isNull(index) else { return nil }
            return try document.decode(type, at: index, codingPath + [key])
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy _: NestedKey.Type,
            forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            let index = try value(of: key)
            try document.expect(.object, at: index, [String: Any].self, codingPath + [key])
            return KeyedDecodingContainer(
                Keyed<NestedKey>(document: document, object: index, codingPath: codingPath + [key])
            )
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            let index = try value(of: key)
            try document.expect(.array, at: index, [Any].self, codingPath + [key])
            return Unkeyed(document: document, array: index, codingPath: codingPath + [key])
        }

        func superDecoder() throws -> any Decoder {
            // Nothing here asks for one; `JSONDecoder` decides what a document that needs it means.
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: ""))
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: ""))
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let document: Document
        let codingPath: [any CodingKey]
        let count: Int?
        private(set) var currentIndex = 0
        private var position: Int

        init(document: Document, array: Int, codingPath: [any CodingKey]) {
            self.document = document
            self.codingPath = codingPath
            count = Int(document.tape.nodes[array].count)
            position = array + 1
        }

        var isAtEnd: Bool { currentIndex >= count! }

        private var elementPath: [any CodingKey] { codingPath + [ElementKey(intValue: currentIndex)] }

        /// The next element's node, consumed.
        private mutating func next(_ type: Any.Type) throws -> Int {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: elementPath, debugDescription: ""))
            }
            let index = position
            position = Int(document.tape.nodes[index].next)
            currentIndex += 1
            return index
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, document.isNull(position) else { return false }
            _ = try next(Never.self)
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let path = elementPath
            return try document.decode(type, at: try next(type), path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy _: NestedKey.Type
        ) throws -> KeyedDecodingContainer<NestedKey> {
            let path = elementPath
            let index = try next([String: Any].self)
            try document.expect(.object, at: index, [String: Any].self, path)
            return KeyedDecodingContainer(Keyed<NestedKey>(document: document, object: index, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let path = elementPath
            let index = try next([Any].self)
            try document.expect(.array, at: index, [Any].self, path)
            return Unkeyed(document: document, array: index, codingPath: path)
        }

        mutating func superDecoder() throws -> any Decoder {
            throw DecodingError.dataCorrupted(.init(codingPath: elementPath, debugDescription: ""))
        }
    }

    struct Single: SingleValueDecodingContainer {
        let document: Document
        let index: Int
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { document.isNull(index) }
        func decode(_: Bool.Type) throws -> Bool { try document.bool(at: index, codingPath) }
        func decode(_: String.Type) throws -> String { try document.string(at: index, codingPath) }
        func decode(_: Double.Type) throws -> Double { try document.double(at: index, codingPath) }
        func decode(_: Int.Type) throws -> Int { try document.integer(at: index, codingPath) }
        func decode(_: Int8.Type) throws -> Int8 { try document.integer(at: index, codingPath) }
        func decode(_: Int16.Type) throws -> Int16 { try document.integer(at: index, codingPath) }
        func decode(_: Int32.Type) throws -> Int32 { try document.integer(at: index, codingPath) }
        func decode(_: Int64.Type) throws -> Int64 { try document.integer(at: index, codingPath) }
        func decode(_: UInt.Type) throws -> UInt { try document.integer(at: index, codingPath) }
        func decode(_: UInt8.Type) throws -> UInt8 { try document.integer(at: index, codingPath) }
        func decode(_: UInt16.Type) throws -> UInt16 { try document.integer(at: index, codingPath) }
        func decode(_: UInt32.Type) throws -> UInt32 { try document.integer(at: index, codingPath) }
        func decode(_: UInt64.Type) throws -> UInt64 { try document.integer(at: index, codingPath) }
        func decode(_: Float.Type) throws -> Float {
            throw DecodingError.typeMismatch(Float.self, .init(codingPath: codingPath, debugDescription: ""))
        }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.decode(type, at: index, codingPath) }
    }

    /// An array element's place in a coding path.
    struct ElementKey: CodingKey {
        var stringValue: String { "Index \(intValue!)" }
        let intValue: Int?
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue _: String) { nil }
    }
}
