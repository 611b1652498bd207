import ProjectionCore

/// A broken rule of the event contract at one field, found while decoding and reported as a `ProjectionFailure`.
///
/// - Important: `rule` says what the field must be, never what it was: the value may be patient data.
struct ContractViolation: Error {
    /// The field below the decoded root (`clinic.name.en`, `scopes[1]`); empty for the root itself.
    var path: String
    /// What the field must be or what check it failed (`fails the Modulus 11 check`).
    var rule: String

    /// A violation of `rule` at `path`.
    init(_ rule: String, at path: String = "") {
        self.rule = rule
        self.path = path
    }

    /// A violation of `rule` at `key` below `codingPath`.
    init(_ rule: String, at codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) {
        self.init(rule, at: ContractViolation.path(codingPath, key))
    }

    /// The same violation placed below `codingPath`: for rules checked by value types that do not know their field.
    func placed(at codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> ContractViolation {
        ContractViolation(rule, at: codingPath, key)
    }

    /// The dead-letter failure: `<root>.<path>: <rule>`.
    func failure(root: String) -> ProjectionFailure {
        ProjectionFailure(.invalidPayload, "\(ContractViolation.join(root, path)): \(rule)")
    }

    /// `root` followed by `path`, with a dot unless the path starts with an index.
    static func join(_ root: String, _ path: String) -> String {
        if path.isEmpty { return root }
        if root.isEmpty || path.hasPrefix("[") { return root + path }
        return root + "." + path
    }

    /// `a.b[2].c`: keys joined by dots, array indices in brackets.
    static func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
        var out = ""
        for component in codingPath {
            append(component, to: &out)
        }
        if let key { append(key, to: &out) }
        return out
    }

    private static func append(_ key: any CodingKey, to out: inout String) {
        if let index = key.intValue {
            out += "[\(index)]"
        } else {
            if !out.isEmpty { out += "." }
            out += key.stringValue
        }
    }
}
