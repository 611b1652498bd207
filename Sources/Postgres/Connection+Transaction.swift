/// A transaction that failed, and the phase it failed in.
public struct TransactionError: Error, Sendable, CustomStringConvertible {
    /// Where the transaction broke.
    public enum Phase: String, Sendable {
        case begin, body, commit, rollback
    }
    /// The phase that failed.
    public var phase: Phase
    /// What failed in that phase.
    public var underlying: any Error
    /// When the body failed and the rollback failed too, the rollback's error.
    public var rollbackError: PostgresError?

    public var description: String {
        var text = "transaction failed in \(phase): \(underlying)"
        if let rollbackError { text += "; rollback failed too: \(rollbackError)" }
        return text
    }
}

extension Connection {
    /// Runs `body` between BEGIN and COMMIT on this connection, rolling back when it throws.
    ///
    /// The body runs on the connection's executor without suspending, so nothing else can use the
    /// connection in between.
    public func withTransaction<T: Sendable>(
        _ body: @Sendable (isolated Connection) throws -> T
    ) throws(TransactionError) -> T {
        do {
            try execute("BEGIN")
        } catch {
            throw TransactionError(phase: .begin, underlying: error)
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            var failure = TransactionError(phase: .body, underlying: error)
            do { try execute("ROLLBACK") } catch { failure.rollbackError = error }
            throw failure
        }
        do {
            try execute("COMMIT")
        } catch {
            throw TransactionError(phase: .commit, underlying: error)
        }
        return value
    }
}
