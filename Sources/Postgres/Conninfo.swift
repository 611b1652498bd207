import CLibPQ

/// Connection strings, as libpq understands them.
public enum Conninfo {
    /// `conninfo` (a URL or key=value string, or nil for libpq's defaults) pointed at another database.
    ///
    /// libpq parses the string (`PQconninfoParse`), so URLs, key=value strings and `PG*` defaults all
    /// work. The result holds whatever the input held, password included: pass it through the
    /// environment, never on a command line or into a log.
    public static func withDatabase(_ database: String, in conninfo: String?) throws(PostgresError) -> String {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo ?? "", &message) else {
            if let message { PQfreemem(message) }
            // libpq's message may quote the string, password and all: say only that it did not parse.
            throw PostgresError(kind: .client, message: "the connection string does not parse")
        }
        defer { PQconninfoFree(options) }
        var parts: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if name != "dbname", let value = option.pointee.val {
                parts.append("\(name)=\(quoted(String(cString: value)))")
            }
            option += 1
        }
        parts.append("dbname=\(quoted(database))")
        return parts.joined(separator: " ")
    }

    /// `'value'` with backslashes and single quotes escaped, as conninfo values want.
    private static func quoted(_ value: String) -> String {
        var out = "'"
        for ch in value {
            if ch == "'" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "'"
    }
}
