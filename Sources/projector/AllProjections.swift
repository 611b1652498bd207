import AppointmentsProjection
import ConsentProjection
import ProjectionCore
import ResultsProjection
import TimelineProjection

/// Every read model this build maintains; the only place projections and the engine meet.
enum AllProjections {
    static let all: [any Projection] = [
        TimelineProjection(), ResultsProjection(), AppointmentsProjection(), ConsentProjection(),
    ]

    /// The projections named in `names`, or all of them when it is empty.
    static func select(_ names: [String]) throws -> [any Projection] {
        guard !names.isEmpty else { return all }
        return try names.map { name in
            guard let projection = all.first(where: { $0.name == name }) else {
                let known = all.map(\.name).joined(separator: ", ")
                throw CommandFailure("unknown projection \(name); known: \(known)")
            }
            return projection
        }
    }
}
