/// The hand-written parsers on the input path, each with the oracle that holds it to a reference.
///
/// Every target takes arbitrary bytes. It must not trap (a trap cannot be caught, and on the input path
/// it would stop a read model at every start), and what it answers must agree with its reference:
/// `JSONDecoder` or `JSONSerialization` for the decoders, a plain re-implementation for the line
/// reader. `run` returns the disagreements; the libFuzzer entry point turns one into a crash, the
/// corpus test into a failure.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `MetadataScanner` against `JSONDecoder`, on a metadata document.
    case metadata
    /// `TapeDecoder` against `JSONDecoder`, on a payload of the type the first byte picks.
    case payload
    /// `StorableJSON` against `JSONSerialization`, and its field texts against itself.
    case json
    /// `EventLine`, the envelope of an imported line, against `JSONSerialization`.
    case eventLine = "event-line"
    /// `LineReader` against a split of the whole input, with a limit and chunk size from the first bytes.
    case lines
    /// The value validators (timestamps, dates, NHS numbers, result values) on the input as text.
    case values

    /// What `bytes` makes the target disagree with its reference about; empty when they agree.
    public func run(_ bytes: [UInt8]) -> [String] {
        switch self {
        case .metadata: MetadataOracle.check(bytes)
        case .payload: PayloadOracle.check(bytes)
        case .json: StorableJSONOracle.check(bytes)
        case .eventLine: EventLineOracle.check(bytes)
        case .lines: LineReaderOracle.check(bytes)
        case .values: ValuesOracle.check(bytes)
        }
    }
}
