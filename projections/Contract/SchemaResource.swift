import Foundation

/// Reads a read model's `schema.sql`, a resource of its own target.
public enum SchemaResource {
    /// The text of `schema.sql` in `bundle` (the projection target's `Bundle.module`).
    ///
    /// The file is a resource of the target: without it the build itself is broken, so this stops the
    /// process instead of throwing.
    public static func schemaSQL(in bundle: Bundle, projection: String) -> String {
        guard let url = bundle.url(forResource: "schema", withExtension: "sql"),
            let sql = try? String(contentsOf: url, encoding: .utf8)
        else {
            preconditionFailure("\(projection): schema.sql is missing from the bundle")
        }
        return sql
    }
}
