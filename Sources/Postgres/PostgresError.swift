import CLibPQ

/// An error from PostgreSQL or from libpq, printable as one line that ops can act on.
///
/// - Important: `description` never contains bound values. PostgreSQL puts them into some messages
///   (`invalid input syntax for type uuid: "…"`, `Key (stream_id)=(consent-…) already exists`), so for
///   data exceptions (class 22) and integrity violations (class 23) it prints the condition and the
///   constraint, table, column or type it concerns instead of the server's message and detail. The raw
///   fields stay available as properties for code that branches on them; never log them.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// Where the error arose.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connection, server, client
        }
        private let base: Base
        /// The connection could not be made, or broke.
        public static let connection = Kind(base: .connection)
        /// The server reported an error for a statement.
        public static let server = Kind(base: .server)
        /// This process misused the protocol or failed to decode a value.
        public static let client = Kind(base: .client)
        public var description: String { base.rawValue }
    }

    /// Connection, server or client.
    public var kind: Kind
    /// The five-character SQLSTATE (`23505`), when the server sent one.
    public var sqlState: String?
    /// The server's primary message, or libpq's. May contain values: never log it for classes 22 and 23.
    public var message: String
    /// The server's DETAIL. May contain values.
    public var detail: String?
    /// The server's HINT.
    public var hint: String?
    /// The constraint a violation concerns.
    public var constraint: String?
    /// The table an error concerns.
    public var table: String?
    /// The column an error concerns.
    public var column: String?
    /// The data type an error concerns.
    public var dataType: String?
    /// The first line of the statement that failed, truncated; statements never contain values.
    public var statement: String?

    /// Creates an error by hand, for the client-side failures of this module.
    public init(kind: Kind, sqlState: String? = nil, message: String, statement: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.statement = statement
    }

    /// Whether the error is a data exception or an integrity violation, whose messages may hold values.
    var mayCarryValues: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("22") || sqlState.hasPrefix("23")
    }

    public var description: String {
        var line = kind == .connection ? "connection error" : "error"
        if let sqlState { line += " \(sqlState)" }
        if mayCarryValues {
            line += ": " + (Self.conditionNames[sqlState ?? ""] ?? "data or integrity error")
            if let constraint { line += " on constraint \"\(constraint)\"" }
            if let table { line += " of table \"\(table)\"" }
            if let column { line += " in column \"\(column)\"" }
            if let dataType { line += " for type \(dataType)" }
        } else {
            line += ": \(message)"
            if let detail { line += " DETAIL: \(detail)" }
            if let hint { line += " HINT: \(hint)" }
        }
        if let statement { line += " (while executing: \(statement))" }
        return line
    }

    /// The conditions whose text we print instead of the server's message (PostgreSQL, Appendix A).
    private static let conditionNames: [String: String] = [
        "23505": "unique violation", "23503": "foreign key violation", "23502": "not-null violation",
        "23514": "check violation", "23P01": "exclusion violation", "22P02": "invalid text representation",
        "22007": "invalid datetime format", "22008": "datetime field overflow", "22003": "numeric value out of range",
        "22001": "string data right truncation", "22023": "invalid parameter value",
        "22P05": "untranslatable character",
        "22021": "character not in repertoire", "22004": "null value not allowed", "22012": "division by zero",
    ]
}

extension PostgresError {
    /// Common SQLSTATEs callers branch on.
    public enum SQLState {
        /// `23505`: a unique constraint was violated.
        public static let uniqueViolation = "23505"
        /// `42601`: the statement does not parse.
        public static let syntaxError = "42601"
        /// `40001`: a serializable transaction must be retried.
        public static let serializationFailure = "40001"
        /// `57014`: the statement was cancelled.
        public static let queryCanceled = "57014"
        /// `42P01`: the table does not exist.
        public static let undefinedTable = "42P01"
    }

    /// Reads the fields of a failed result.
    init(result: OpaquePointer, statement: String?) {
        func field(_ code: Character) -> String? {
            guard let raw = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: raw)
        }
        let primary = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmed
        self.init(kind: .server, sqlState: field("C"), message: primary, statement: statement)
        if sqlState == nil || sqlState == "08006" || sqlState?.hasPrefix("08") == true { kind = .connection }
        detail = field("D")
        hint = field("H")
        constraint = field("n")
        table = field("t")
        column = field("c")
        dataType = field("d")
    }

    /// The connection's last libpq error, for failures that produced no result.
    static func connection(_ conn: OpaquePointer?, statement: String? = nil) -> PostgresError {
        let text = conn.flatMap { PQerrorMessage($0) }.map { String(cString: $0).trimmed } ?? "no connection"
        return PostgresError(kind: .connection, message: text.isEmpty ? "connection lost" : text, statement: statement)
    }

    /// The first line of `sql`, at most 80 characters, for `statement`.
    static func summary(of sql: String) -> String {
        let firstLine = sql.drop { $0 == " " || $0 == "\n" }.prefix { $0 != "\n" }
        return firstLine.count > 80 ? String(firstLine.prefix(80)) + "…" : String(firstLine)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        return String(s)
    }
}

extension PostgresError {
    /// The SQLSTATE of `error`: a server error, thrown alone or as a transaction's; nil for anything else.
    public static func sqlState(of error: any Error) -> String? {
        let underlying = (error as? TransactionError)?.underlying ?? error
        return (underlying as? PostgresError)?.sqlState
    }
}
