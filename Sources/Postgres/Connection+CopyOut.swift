import CLibPQ

extension Connection {
    /// Runs `copy` (a `COPY … TO STDOUT` statement) and hands each chunk of its output to `body`.
    ///
    /// - Returns: the number of rows the server sent.
    @discardableResult
    public func copyTo(_ copy: Query, _ body: @Sendable (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let statement = copy.description
        let conn = try liveHandle(for: statement)
        statementStarted()
        defer { statementEnded() }
        let start = send(copy, on: conn)
        guard let start, PQresultStatus(start) == PGRES_COPY_OUT else {
            defer { PQclear(start) }
            _ = try collect(start, statement: statement, on: conn)
            throw PostgresError(kind: .client, message: "statement did not start COPY TO STDOUT", statement: statement)
        }
        PQclear(start)
        var bodyError: (any Error)?
        while true {
            var chunk: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(conn, &chunk, 0)
            if length > 0, let chunk {
                // Keep draining after a failed body: the protocol must reach its end either way.
                if bodyError == nil {
                    do { try body(UnsafeRawBufferPointer(start: chunk, count: Int(length))) } catch {
                        bodyError = error
                    }
                }
                PQfreemem(chunk)
            } else if length == -1 {
                break
            } else {
                throw PostgresError.connection(conn, statement: statement)
            }
        }
        var sent = 0
        var serverError: PostgresError?
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            do { sent = try collect(result, statement: statement, on: conn).affectedRows } catch {
                serverError = serverError ?? error
            }
        }
        if let bodyError { throw bodyError }
        if let serverError { throw serverError }
        return sent
    }
}
