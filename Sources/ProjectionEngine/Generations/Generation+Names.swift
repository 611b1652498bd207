extension Generation {
    /// Schemas the service's own tables live in; never a read model's generation.
    static let serviceSchemas: Set<String> = ["public", "projector", "eventlog", "reporting", "information_schema"]

    /// Why `schema` may not hold an as-of copy of a projection, or nil when it may.
    ///
    /// A projection's own name is its live generation, and `<projection>__<suffix>` is what rebuilds
    /// (`__rebuild`), verify scratches (`__verify_<pid>`) and retired generations (`__retired_<time>`) use:
    /// a copy there would be resumed, swapped in or dropped as one of them. Schemas that exist already are
    /// refused when the copy is created.
    ///
    /// - Parameters:
    ///   - schema: the schema asked for.
    ///   - projections: the names of every projection this build knows.
    public static func auditSchemaProblem(_ schema: String, projections: [String]) -> String? {
        if projections.contains(schema) { return "\(schema) is a live read model's schema" }
        if serviceSchemas.contains(schema) || schema.hasPrefix("pg_") { return "\(schema) is a system schema" }
        if let owner = projections.first(where: { schema.hasPrefix("\($0)__") }) {
            return "names starting with \(owner)__ are reserved for \(owner)'s rebuild, verify and retired generations"
        }
        return nil
    }
}
