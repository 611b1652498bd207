import CLibPQ

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
        let value = try withTransactionKeepingOpen(body)
        try commit()
        return value
    }
}

/// How a transaction's body asks it to end, with the body's value either way.
public enum TransactionEnd<Value: Sendable>: Sendable {
    case commit(Value)
    case rollback(Value)
}

extension Connection {
    /// Runs `body` between BEGIN and COMMIT, or ROLLBACK when the body asks for it: for a body that learns
    /// midway that its work must not commit (a checkpoint another writer now owns) and says so as a value.
    ///
    /// A body that throws rolls back too, and the error is thrown, as with `withTransaction(_:)`.
    public func withTransaction<T: Sendable>(
        ending body: @Sendable (isolated Connection) throws -> TransactionEnd<T>
    ) throws(TransactionError) -> T {
        let end = try withTransactionKeepingOpen(body)
        switch end {
        case .commit(let value):
            try commit()
            return value
        case .rollback(let value):
            do {
                try execute("ROLLBACK")
            } catch {
                throw TransactionError(phase: .rollback, underlying: error)
            }
            return value
        }
    }

    /// COMMIT, unless a statement of the transaction failed and the body went on regardless: PostgreSQL would
    /// answer that COMMIT with a silent rollback, and the caller would believe the work stored.
    private func commit() throws(TransactionError) {
        if let conn = try? liveHandle(), PQtransactionStatus(conn) == PQTRANS_INERROR {
            do { try execute("ROLLBACK") } catch { throw TransactionError(phase: .rollback, underlying: error) }
            throw TransactionError(
                phase: .commit,
                underlying: PostgresError(
                    kind: .client,
                    message: "a statement of the transaction failed and its error was not thrown; rolled back"
                )
            )
        }
        do {
            try execute("COMMIT")
        } catch {
            throw TransactionError(phase: .commit, underlying: error)
        }
    }

    /// BEGIN and `body`, rolled back if it throws; the caller ends the transaction.
    private func withTransactionKeepingOpen<T: Sendable>(
        _ body: @Sendable (isolated Connection) throws -> T
    ) throws(TransactionError) -> T {
        do {
            try execute("BEGIN")
        } catch {
            throw TransactionError(phase: .begin, underlying: error)
        }
        do {
            return try body(self)
        } catch {
            var failure = TransactionError(phase: .body, underlying: error)
            do { try execute("ROLLBACK") } catch { failure.rollbackError = error }
            throw failure
        }
    }
}
