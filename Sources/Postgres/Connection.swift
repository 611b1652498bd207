import CLibPQ
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, an actor whose every call runs on a serial executor of its own.
///
/// Connect with a conninfo string or `postgres://` URL, which libpq parses itself, so `PGHOST`,
/// `PGPASSWORD`, `.pgpass`, `sslmode` and service files behave exactly as with `psql`. Nothing here
/// prints the connection string: it may hold a password.
///
/// - Important: libpq allows one thread at a time per `PGconn`; the actor guarantees it.
public actor Connection {
    private let executor: ConnectionExecutor
    private var handle: OpaquePointer?
    /// Named prepared statements by SQL text and parameter types, once `cachePlans()` was called.
    private var prepared: [PreparedKey: String]?
    /// What layers above keep for the life of this session, by the type that keeps it (the event log's merge
    /// list, read incrementally on the session that reads pages). Lost with the session, so never a secret.
    public var sessionCache: [ObjectIdentifier: any Sendable] = [:]
    /// When the statement in progress started (`DispatchTime` uptime nanoseconds); 0 between statements.
    nonisolated let statementStart = Atomic<UInt64>(0)
    /// A duplicate of the socket's descriptor, for `abort()`; -1 once closed. A duplicate of its own, because
    /// libpq closes its descriptor by itself when it finds the connection lost, and the number may then be
    /// reused by another socket of the process; this one stays this socket's until `close()` closes it.
    nonisolated let socket = Mutex<Int32>(-1)

    /// The executor the actor runs on: a dispatch queue of its own, never the cooperative pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(label: String) {
        executor = ConnectionExecutor(label: label)
    }

    /// Connects to `conninfo`, or to libpq's defaults (the `PG*` variables) when it is nil or empty.
    ///
    /// - Parameter applicationName: shown in `pg_stat_activity`, unless the conninfo sets its own.
    public static func connect(
        to conninfo: String?,
        applicationName: String = "projector"
    ) async throws(PostgresError) -> Connection {
        let connection = Connection(label: "postgres.\(applicationName)")
        try await connection.open(conninfo ?? "", applicationName: applicationName)
        return connection
    }

    /// Settings every session gets unless the conninfo (or, for the timeout, `PGCONNECT_TIMEOUT`) says
    /// otherwise: a server that accepts TCP and never answers fails the connect after 10 seconds instead of
    /// never, and a peer that vanished (a network cut, a frozen host) is noticed by TCP keepalives within
    /// about a minute instead of the kernel's two hours.
    static var sessionDefaults: [(keyword: String, value: String)] {
        var defaults = [
            ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
        ]
        if getenv("PGCONNECT_TIMEOUT") == nil { defaults.insert(("connect_timeout", "10"), at: 0) }
        return defaults
    }

    private func open(_ conninfo: String, applicationName: String) throws(PostgresError) {
        try Self.checkSyntax(of: conninfo)
        // Entries before `dbname` are overridden by the conninfo it expands to; those after it override it.
        let defaults = Self.sessionDefaults
        let keywords = defaults.map(\.keyword) + ["dbname", "fallback_application_name", "client_encoding"]
        let values = defaults.map(\.value) + [conninfo, applicationName, "UTF8"]
        // Both arrays end with NULL, as PQconnectdbParams requires.
        let conn = withOptionalCStrings(keywords + [nil]) { keywordPointers in
            withOptionalCStrings(values + [nil]) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            var error = PostgresError.connection(conn)
            error.message = Conninfo.redacted(error.message, conninfo: conninfo)
            PQfinish(conn)
            throw error
        }
        handle = conn
        socket.withLock { $0 = dup(PQsocket(conn)) }
        // Timestamps come back in one parseable form whatever the server's settings; NOTICEs
        // ("schema … does not exist, skipping") would go to stderr through libpq: warnings and up only.
        try executeScript("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; SET client_min_messages = 'warning'")
    }

    /// Refuses a conninfo or URL libpq cannot parse, before any connect: a failure no retry mends
    /// (`isPermanentConnectFailure`).
    static func checkSyntax(of conninfo: String) throws(PostgresError) {
        // What libpq expands as a connection string; anything else is a database's name (PQconnectdbParams).
        guard conninfo.contains("=") || conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") else {
            return
        }
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &message) else {
            let text = message.map { String(cString: $0).trimmed } ?? "cannot parse the connection string"
            if let message { PQfreemem(message) }
            throw PostgresError(
                kind: .connection,
                message: "invalid connection string: " + Conninfo.redacted(text, conninfo: conninfo)
            )
        }
        PQconninfoFree(options)
    }

    /// Closes the connection; later calls fail with a connection error.
    public func close() {
        closeSocketDuplicate()
        if let handle { PQfinish(handle) }
        handle = nil
    }

    isolated deinit {
        closeSocketDuplicate()
        if let handle { PQfinish(handle) }
    }

    private nonisolated func closeSocketDuplicate() {
        socket.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    /// Whether libpq still considers the connection usable.
    public var isOpen: Bool {
        handle.map { PQstatus($0) == CONNECTION_OK } ?? false
    }

    func liveHandle(for statement: String? = nil) throws(PostgresError) -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .connection, message: "connection is closed", statement: statement)
        }
        return handle
    }

    /// Runs `query` and returns its rows and affected-row count.
    @discardableResult
    public func query(_ query: Query) throws(PostgresError) -> QueryResult {
        let conn = try liveHandle(for: query.description)
        statementStarted()
        defer { statementEnded() }
        let result = prepared == nil ? send(query, on: conn) : sendPrepared(query, on: conn)
        defer { PQclear(result) }
        return try collect(result, statement: query.description, on: conn)
    }

    /// From now on, prepares each distinct statement once on this session and runs it by name after.
    ///
    /// For sessions that run the same few statements many times with small inputs (a live writer's pages):
    /// parsing and planning them again for every page cost more than executing them. Prepared statements
    /// outlive transactions, and PostgreSQL analyses them again when a table they name is replaced (a
    /// rebuild's swap). At most `maxPrepared` are kept; statements beyond that run unprepared.
    public func cachePlans() {
        if prepared == nil { prepared = [:] }
    }

    /// How many statements `cachePlans()` prepares at most per session.
    public static let maxPrepared = 500

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [UInt32]
    }

    private func sendPrepared(_ query: Query, on conn: OpaquePointer) -> OpaquePointer? {
        let name: String?
        switch prepare(query, on: conn) {
        case .success(let prepared): name = prepared
        case .failure(let failure): return failure.result
        }
        guard let name else { return send(query, on: conn) }
        let types = query.binds.map(\.type)
        let texts = query.binds.map(\.text)
        return withOptionalCStrings(texts) { values in
            PQexecPrepared(conn, name, Int32(types.count), values, nil, nil, 0)
        }
    }

    /// The name `query` is prepared under on this session, preparing it now if it is new and there is room;
    /// nil when plans are not cached or there is no room. A statement that does not prepare fails here with
    /// the server's error (the result, for the caller to collect), as it would unprepared.
    func prepare(_ query: Query, on conn: OpaquePointer) -> Result<String?, PreparedFailure> {
        let types = query.binds.map(\.type)
        let key = PreparedKey(sql: query.sql, types: types)
        if let name = prepared?[key] { return .success(name) }
        guard let count = prepared?.count, count < Self.maxPrepared else { return .success(nil) }
        let fresh = "projector_\(count + 1)"
        let result = PQprepare(conn, fresh, query.sql, Int32(types.count), types)
        guard let result, PQresultStatus(result) == PGRES_COMMAND_OK else { return .failure(PreparedFailure(result)) }
        PQclear(result)
        prepared?[key] = fresh
        return .success(fresh)
    }

    /// A `PQprepare` that failed: its result (nil when the connection failed), for `collect` to throw from.
    struct PreparedFailure: Error, @unchecked Sendable {
        let result: OpaquePointer?
        init(_ result: OpaquePointer?) { self.result = result }
    }

    /// Runs `query` for its effect; returns how many rows it affected.
    @discardableResult
    public func execute(_ query: Query) throws(PostgresError) -> Int {
        try self.query(query).affectedRows
    }

    /// Runs a script of one or more statements without parameters (migrations, DDL).
    public func executeScript(_ script: String) throws(PostgresError) {
        let statement = PostgresError.summary(of: script)
        let conn = try liveHandle(for: statement)
        statementStarted()
        defer { statementEnded() }
        guard PQsendQuery(conn, script) == 1 else { throw PostgresError.connection(conn, statement: statement) }
        var firstError: PostgresError?
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            if firstError == nil {
                do { _ = try collect(result, statement: statement, on: conn) } catch { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    func send(_ query: Query, on conn: OpaquePointer) -> OpaquePointer? {
        let types = query.binds.map(\.type)
        let texts = query.binds.map(\.text)
        return withOptionalCStrings(texts) { values in
            PQexecParams(conn, query.sql, Int32(types.count), types, values, nil, nil, 0)
        }
    }

    func collect(
        _ result: OpaquePointer?,
        statement: String,
        on conn: OpaquePointer
    ) throws(PostgresError)
        -> QueryResult
    {
        guard let result else { throw PostgresError.connection(conn, statement: statement) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(rows: [], affectedRows: affectedRows(result))
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return QueryResult(rows: rows(of: result), affectedRows: affectedRows(result))
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            throw PostgresError(result: result, statement: statement)
        default:
            let status = String(cString: PQresStatus(PQresultStatus(result)))
            throw PostgresError(kind: .client, message: "unexpected result status \(status)", statement: statement)
        }
    }

    private func affectedRows(_ result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    private func rows(of result: OpaquePointer) -> [Row] {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for c in 0..<Int32(columnCount) {
                if PQgetisnull(result, r, c) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, r, c)!).assumingMemoryBound(to: UInt8.self)
                    values.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }
}

/// Calls `body` with NUL-terminated copies of `strings` (nil stays nil), freed afterwards.
func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
