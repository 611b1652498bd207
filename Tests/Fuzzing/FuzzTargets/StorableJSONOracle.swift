import Foundation
import ProjectionContract

/// What `StorableJSON` accepts is JSON to `JSONDecoder` too (which accepts more: a byte-order mark,
/// duplicate keys), it reads the same strings, and each top-level field's text, as written, is a
/// storable document of its own. (`JSONSerialization` is no reference: it drops a U+FEFF that starts
/// a string.)
enum StorableJSONOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard let document = try? StorableJSON(bytes) else { return [] }
        var problems: [String] = []
        if case .object = document.kind {
            problems += fieldTextsAreStorable(document)
        }
        guard !DoubleRange.mayBeExceeded(in: bytes) else { return problems }
        guard (try? JSONDecoder().decode(ReferenceValue.self, from: Data(bytes))) != nil else {
            return problems + ["StorableJSON accepted a document JSONDecoder rejects"]
        }
        guard document.kind == .object,
            let fields = try? JSONDecoder().decode([String: ReferenceValue].self, from: Data(bytes))
        else { return problems }
        for (name, value) in fields {
            guard let field = document.field(name) else {
                problems.append("a top-level field JSONDecoder reads was not found")
                continue
            }
            if field.string != value.string {
                problems.append("a string field was read otherwise than JSONDecoder reads it")
            }
        }
        return problems
    }

    /// Each top-level field's text, as written, is a storable document of its own (what `append --json`
    /// and `import` send as `data` and `metadata`).
    private static func fieldTextsAreStorable(_ document: StorableJSON) -> [String] {
        ["data", "metadata", "stream", "a"].compactMap { name in
            guard let field = document.field(name), (try? StorableJSON(Array(field.text.utf8))) == nil else {
                return nil
            }
            return "the text of field \(name), as written, is not a storable document"
        }
    }
}
