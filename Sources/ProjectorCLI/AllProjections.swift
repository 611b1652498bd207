import ProjectionCore
import ReadModels

/// The read models `projector` commands act on: every one in `ReadModels`, or those named on the command line.
enum AllProjections {
    /// Read models a test build adds (`ProjectorCLI.main(adding:)`); set once, before the command line is parsed.
    nonisolated(unsafe) static var extra: [any Projection] = []

    /// Every read model this build maintains: `ReadModels.all`, and a test build's `extra`.
    static var all: [any Projection] { ReadModels.all + extra }

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
