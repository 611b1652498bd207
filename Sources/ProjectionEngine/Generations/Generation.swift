/// A set of a projection's tables in one schema: the live one readers query, or one being built.
///
/// The live generation's schema is the projection's name (`timeline`), its checkpoint is in
/// `projector.checkpoints` and its dead letters in `projector.dead_letters`. A generation being built
/// (a rebuild before its swap, an as-of copy, a verify scratch) has its own schema and keeps both in
/// `projector.builds` and `projector.build_dead_letters`, so it never disturbs the live one.
public struct Generation: Sendable, Hashable, CustomStringConvertible {
    /// Whether readers see it.
    public enum Role: Sendable, Hashable {
        case live, build
    }

    /// The projection whose code writes it.
    public var projection: String
    /// The schema holding its tables.
    public var schema: String
    /// Live or being built.
    public var role: Role

    /// The live generation of `projection`.
    public static func live(_ projection: String) -> Generation {
        Generation(projection: projection, schema: projection, role: .live)
    }

    /// A generation of `projection` being built in `schema`.
    public static func build(_ projection: String, in schema: String) -> Generation {
        Generation(projection: projection, schema: schema, role: .build)
    }

    public var description: String { role == .live ? "\(projection) (live)" : "\(projection) in \(schema)" }
}
