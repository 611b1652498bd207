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
    /// For a build shared by several workers, the partition of the patients this writer applies: its
    /// checkpoint is then the partition's (`projector.build_partitions`); its rows and dead letters are the
    /// build's.
    public var partition: Int? = nil

    /// The live generation of `projection`.
    public static func live(_ projection: String) -> Generation {
        Generation(projection: projection, schema: projection, role: .live)
    }

    /// A generation of `projection` being built in `schema`.
    public static func build(_ projection: String, in schema: String) -> Generation {
        Generation(projection: projection, schema: schema, role: .build)
    }

    public var description: String {
        switch (role, partition) {
        case (.live, _): "\(projection) (live)"
        case (.build, nil): "\(projection) in \(schema)"
        case (.build, let partition?): "\(projection) in \(schema), partition \(partition)"
        }
    }
}

/// Where a generation keeps its checkpoint and its dead letters, so their SQL is written once for every role.
///
/// The live generation: `projector.checkpoints` and `projector.dead_letters`, keyed by projection; it can
/// be paused and has a failure policy. A build: `projector.builds` and `projector.build_dead_letters`,
/// keyed by its schema.
struct GenerationStore: Sendable {
    /// The table of checkpoints, in schema `projector`.
    var checkpoints: String
    /// The table of dead letters, in schema `projector`.
    var deadLetters: String
    /// The column that names the generation in both.
    var keyColumn: String
    /// Its value.
    var key: String
    /// Whether ops can pause it (and set its failure policy): the live generation only.
    var isLive: Bool
    /// SQL that holds for its dead letters that may park their stream: still waiting (ops have not retried
    /// or skipped them; a build's all wait, ops handle letters once they are live), and not stored before
    /// streams were parked (migration 0009). Their category decides the rest.
    var mayPark: StaticString { isLive ? "status = 'parked' AND parks_stream" : "true" }

    /// The store of `generation`.
    init(_ generation: Generation) {
        switch generation.role {
        case .live:
            self.init(
                checkpoints: "checkpoints",
                deadLetters: "dead_letters",
                keyColumn: "projection",
                key: generation.projection,
                isLive: true
            )
        case .build:
            self.init(
                checkpoints: "builds",
                deadLetters: "build_dead_letters",
                keyColumn: "schema_name",
                key: generation.schema,
                isLive: false
            )
        }
    }

    private init(checkpoints: String, deadLetters: String, keyColumn: String, key: String, isLive: Bool) {
        self.checkpoints = checkpoints
        self.deadLetters = deadLetters
        self.keyColumn = keyColumn
        self.key = key
        self.isLive = isLive
    }
}
