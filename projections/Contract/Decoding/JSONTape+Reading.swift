extension JSONTape {
    /// Whether the key node at `index` spells `key`.
    func key(at index: Int, is key: String) -> Bool {
        let node = nodes[index]
        if node.needsCare { return string(at: index) == key }
        var key = key
        return key.withUTF8 { wanted in
            guard wanted.count == Int(node.end - node.start) else { return false }
            return bytes.withUnsafeBufferPointer { bytes in
                UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)]).elementsEqual(wanted)
            }
        }
    }

    /// The string node at `index`, unescaped.
    func string(at index: Int) -> String {
        let node = nodes[index]
        let text = bytes[Int(node.start)..<Int(node.end)]
        // Parsing validated the bytes, so decoding them cannot repair anything.
        guard node.needsCare, text.contains(UInt8(ascii: "\\")) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var position = text.startIndex
        while position < text.endIndex {
            let byte = text[position]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                position += 1
                continue
            }
            let escaped = text[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(text, at: position)
                position += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(text, at: position + 2) - 0xDC00)
                    position += 6
                }
                out.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalar)!)!)
            default: out.append(escaped)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hex4(_ text: ArraySlice<UInt8>, at position: Int) -> UInt32 {
        text[position..<(position + 4)].reduce(0) { unit, byte in
            let digit = byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
            return unit << 4 | UInt32(digit)
        }
    }

    /// The number node at `index`, as ASCII text.
    func numberText(at index: Int) -> Substring {
        let node = nodes[index]
        return Substring(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
    }
}
