/// A fault of the engine or of a projection's code (not of an event): the runner stops on it.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with names but no values.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
