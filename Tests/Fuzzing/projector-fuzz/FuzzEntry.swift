import Foundation
import FuzzTargets

#if FUZZING
// Built by scripts/fuzz with `--sanitize fuzzer`: libFuzzer's `main` calls these. The target comes from
// PROJECTOR_FUZZ_TARGET, so that one binary serves every parser.
nonisolated(unsafe) private var target = FuzzTarget.metadata

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
    let name = ProcessInfo.processInfo.environment["PROJECTOR_FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzTarget(rawValue: name) else {
        let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("PROJECTOR_FUZZ_TARGET must be one of: \(known)\n".utf8))
        exit(2)
    }
    target = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let problems = target.run(bytes)
    // A disagreement is a finding: crash, so that libFuzzer keeps the input and reports it.
    if !problems.isEmpty { fatalError("\(target.rawValue): \(problems.joined(separator: "; "))") }
    return 0
}
#else
/// Without libFuzzer: `projector-fuzz TARGET FILE…` runs each file through the target once and prints
/// what disagreed, to replay a finding under a debugger or after a fix.
@main
struct Replay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: projector-fuzz \(known) FILE…")
            exit(2)
        }
        var failed = false
        for path in arguments.dropFirst() {
            let problems = target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(path): \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))")
            failed = failed || !problems.isEmpty
        }
        exit(failed ? 1 : 0)
    }
}
#endif
