import CLibPQ

extension Connection {
    /// The most statements one `pipeline(_:)` sends before it reads their results: each result is a few
    /// dozen bytes, so the server never blocks on a full socket while this side is still sending.
    public static let maxPipelined = 256

    /// Runs `queries` in order in one round trip (libpq's pipeline mode) and returns each one's result.
    ///
    /// For a transaction's statements whose results nothing in between needs (a page's row writes and its
    /// checkpoint): one round trip instead of one each, which is most of a small page's time on a busy
    /// machine. Inside a transaction the caller holds, as every other statement; the first that fails
    /// throws, and the server skips the rest (the transaction is then aborted, so the caller rolls back).
    /// Statements are prepared first, as `query(_:)` prepares them, when the session caches plans.
    public func pipeline(_ queries: [Query]) throws(PostgresError) -> [QueryResult] {
        guard queries.count > 1, queries.count <= Self.maxPipelined else {
            var results: [QueryResult] = []
            for query in queries { results.append(try self.query(query)) }
            return results
        }
        let statement = queries[0].description
        let conn = try liveHandle(for: statement)
        statementStarted()
        defer { statementEnded() }
        var names: [String?] = []
        for query in queries {
            switch prepare(query, on: conn) {
            case .success(let name): names.append(name)
            case .failure(let failure):
                defer { PQclear(failure.result) }
                _ = try collect(failure.result, statement: query.description, on: conn)
                names.append(nil)
            }
        }
        guard PQenterPipelineMode(conn) == 1 else { throw PostgresError.connection(conn, statement: statement) }
        for (query, name) in zip(queries, names) where !sendAsync(query, prepared: name, on: conn) {
            throw PostgresError.connection(conn, statement: query.description)
        }
        guard PQpipelineSync(conn) == 1 else { throw PostgresError.connection(conn, statement: statement) }
        var results: [QueryResult] = []
        var firstError: PostgresError?
        for query in queries {
            // Each statement's results end with a null; an aborted one (after a failure) says so instead.
            var result: QueryResult?
            while let raw = PQgetResult(conn) {
                defer { PQclear(raw) }
                guard PQresultStatus(raw) != PGRES_PIPELINE_ABORTED else { continue }
                do { result = try collect(raw, statement: query.description, on: conn) } catch {
                    if firstError == nil { firstError = error }
                }
            }
            results.append(result ?? QueryResult(rows: [], affectedRows: 0))
        }
        // Then the sync point, after which the session leaves pipeline mode as it entered it. A session that
        // broke on the way fails as a lost connection, whatever its statements' results said.
        let sync = PQgetResult(conn)
        let synced = sync.map { PQresultStatus($0) == PGRES_PIPELINE_SYNC } ?? false
        PQclear(sync)
        guard synced, PQstatus(conn) == CONNECTION_OK, PQexitPipelineMode(conn) == 1 else {
            throw PostgresError.connection(conn, statement: statement)
        }
        if let firstError { throw firstError }
        return results
    }

    /// Queues `query` (by `prepared` name when it has one) without waiting for its result.
    private func sendAsync(_ query: Query, prepared name: String?, on conn: OpaquePointer) -> Bool {
        let types = query.binds.map(\.type)
        let texts = query.binds.map(\.text)
        return withOptionalCStrings(texts) { values in
            if let name {
                return PQsendQueryPrepared(conn, name, Int32(types.count), values, nil, nil, 0) == 1
            }
            return PQsendQueryParams(conn, query.sql, Int32(types.count), types, values, nil, nil, 0) == 1
        }
    }
}
