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

    /// libpq's `message` about `conninfo` with neither the connection string nor its password in it.
    ///
    /// libpq quotes the string, or a part of it, when it does not parse (`invalid IPv6 host address in
    /// URI: "postgres://u:secret@[::1/db"`); such a message is replaced whole. Otherwise the string and
    /// the password it holds are cut out of the message wherever they appear.
    public static func redacted(_ message: String, conninfo: String?) -> String {
        guard let conninfo, !conninfo.isEmpty else { return message }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            if let error { PQfreemem(error) }
            // A bare database name is no connection string and cannot parse as one; anything else that
            // does not parse may hold a password somewhere in libpq's quote of it.
            if conninfo.contains("=") || conninfo.contains(":") || conninfo.contains("@") {
                return "the connection string (--database or DATABASE_URL) does not parse; it is not shown, "
                    + "as it may hold a password"
            }
            return message.replacingAll(conninfo, with: "<database>")
        }
        defer { PQconninfoFree(options) }
        var secrets = [conninfo]
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                secrets.append(String(cString: value))
            }
            option += 1
        }
        var text = message
        for secret in secrets where !secret.isEmpty { text = text.replacingAll(secret, with: "<redacted>") }
        return text
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

extension String {
    /// `self` with every occurrence of `target` replaced, without Foundation.
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
