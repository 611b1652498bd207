import CLibPQ

/// Writes rows into a running `COPY … FROM STDIN` in text format, in chunks.
public struct CopyWriter: ~Copyable {
    private let conn: OpaquePointer
    private var buffer: [UInt8] = []
    /// Rows written so far.
    public private(set) var rowCount = 0
    private var fieldsInRow = 0
    private static let flushThreshold = 1 << 18

    init(conn: OpaquePointer) {
        self.conn = conn
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends one row; nil is NULL. Values are escaped for COPY's text format.
    public mutating func write(_ values: [String?]) throws(PostgresError) {
        for value in values { append(value) }
        try endRow()
    }

    /// Appends one field to the row being written; nil is NULL. `endRow()` ends the row.
    public mutating func append(_ value: String?) {
        if fieldsInRow > 0 { buffer.append(0x09) }
        fieldsInRow += 1
        guard var value else {
            buffer.append(contentsOf: [0x5C, 0x4E])  // \N
            return
        }
        value.withUTF8 { bytes in
            // Most values hold no byte COPY escapes: copy them whole.
            guard bytes.contains(where: { $0 == 0x5C || $0 < 0x20 }) else {
                buffer.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                default: buffer.append(byte)
                }
            }
        }
    }

    /// Ends the row whose fields `append(_:)` wrote.
    public mutating func endRow() throws(PostgresError) {
        buffer.append(0x0A)
        fieldsInRow = 0
        rowCount += 1
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends bytes already in COPY text format (whole rows, as `COPY … TO STDOUT` produced them).
    public mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    mutating func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw PostgresError.connection(conn) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension Connection {
    /// Runs `copy` (a `COPY … FROM STDIN` statement) and feeds it the rows `body` writes.
    ///
    /// When `body` throws, the COPY is aborted (`PQputCopyEnd` with an error), so no row of it is
    /// stored, and the body's error is rethrown.
    /// - Returns: the number of rows the server stored.
    @discardableResult
    public func copyFrom(_ copy: Query, _ body: @Sendable (inout CopyWriter) throws -> Void) throws -> Int {
        let statement = copy.description
        let conn = try liveHandle(for: statement)
        statementStarted()
        defer { statementEnded() }
        let start = send(copy, on: conn)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            defer { PQclear(start) }
            _ = try collect(start, statement: statement, on: conn)
            throw PostgresError(kind: .client, message: "statement did not start COPY FROM STDIN", statement: statement)
        }
        PQclear(start)
        var writer = CopyWriter(conn: conn)
        var bodyError: (any Error)?
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            bodyError = error
        }
        guard PQputCopyEnd(conn, bodyError == nil ? nil : "aborted by client") == 1 else {
            throw PostgresError.connection(conn, statement: statement)
        }
        var stored = 0
        var serverError: PostgresError?
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            do { stored = try collect(result, statement: statement, on: conn).affectedRows } catch {
                serverError = serverError ?? error
            }
        }
        if let bodyError { throw bodyError }
        if let serverError { throw serverError }
        return stored
    }
}
