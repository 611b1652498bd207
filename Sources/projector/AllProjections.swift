import ProjectionCore
import ReadModels

/// The read models `projector` commands act on: every one in `ReadModels`, or those named on the command line.
enum AllProjections {
    /// Every read model this build maintains (`ReadModels.all`).
    static var all: [any Projection] { ReadModels.all }

    /// The projections named in `names`, or all of them when it is empty.
    static func select(_ names: [String]) throws -> [any Projection] {
        guard !names.isEmpty else { return all }
        return try names.map { name in
            guard let projection = ReadModels.named(name) else {
                throw CommandFailure("unknown projection \(name); known: \(ReadModels.names.joined(separator: ", "))")
            }
            return projection
        }
    }
}
