import AppointmentsProjection
import ConsentProjection
import MedicationsProjection
import ProjectionCore
import ResultsProjection
import TimelineProjection

/// Every read model this build maintains: the one list `projector` and the tests share.
///
/// A new read model is a target of its own under `projections/`, added to this list and to this target's
/// dependencies in Package.swift; `projector` runs, rebuilds and verifies it, the end-to-end, access and chaos
/// tests include it, and `ReadModelTests`' `TableLayoutTests` checks its tables against the catalog.
public enum ReadModels {
    /// The read models, in the order `projector` lists and installs them.
    public static let all: [any Projection] = [
        TimelineProjection(), ResultsProjection(), AppointmentsProjection(), ConsentProjection(),
        MedicationsProjection(),
    ]

    /// Their names, each also the schema of its tables.
    public static var names: [String] { all.map(\.name) }

    /// The read model named `name`; nil when there is none.
    public static func named(_ name: String) -> (any Projection)? {
        all.first { $0.name == name }
    }
}
