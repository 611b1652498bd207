import Foundation
import FuzzTargets

/// The committed fuzz corpus: seeds, and every input that ever made a target fail (`regression-*`).
enum Corpus {
    /// `Tests/Fuzzing/corpus` of this checkout.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzzing/corpus")

    /// Every input of `target`'s folder, with its file name.
    static func inputs(of target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = root.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }
}
