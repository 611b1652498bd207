import ArgumentParser
import Foundation
import Postgres

struct PseudonymKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pseudonym-key",
        abstract: "Manages the secret key of the analysts' patient pseudonyms.",
        subcommands: [SetPseudonymKeyCommand.self]
    )
}

struct SetPseudonymKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Sets the secret key of the analysts' patient pseudonyms.",
        discussion: """
            The reporting views show HMAC-SHA-256(NHS number, key) instead of the NHS number. The key comes \
            from your configuration (an environment variable or a file, e.g. a mounted secret), never from \
            this repository, and is stored in projector.pseudonym_key, which analysts cannot read. It must \
            be at least 32 bytes; `openssl rand -hex 32` makes a good one. Replacing it changes every \
            pseudonym, so it needs --replace. Until a key is set, the reporting views refuse to answer.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Read the key from this environment variable.", valueName: "name"))
    var fromEnv: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Read the key from this file (trailing newline ignored).", valueName: "path")
    )
    var fromFile: String?

    @Flag(name: .long, help: "Replace an existing key (every pseudonym changes).")
    var replace = false

    func validate() throws {
        guard (fromEnv == nil) != (fromFile == nil) else {
            throw ValidationError("give exactly one of --from-env and --from-file")
        }
    }

    func run() async throws {
        let key = try readKey()
        guard key.utf8.count >= 32 else {
            throw CommandFailure("the pseudonym key must be at least 32 bytes; it has \(key.utf8.count)")
        }
        let replaced = try await global.withConnection { conn in
            do {
                return try await store(key, on: conn)
            } catch {
                throw CommandFailure("cannot store the pseudonym key: \(error)")
            }
        }
        switch replaced {
        case nil: throw CommandFailure("a pseudonym key is already set; --replace changes it (and every pseudonym)")
        case true?: print("pseudonym key replaced: every pseudonym has changed")
        case false?: print("pseudonym key set")
        }
    }

    /// Stores `key`; nil when one exists and `--replace` was not given, else whether one was replaced.
    private func store(_ key: String, on conn: Connection) async throws -> Bool? {
        try await conn.withTransaction { tx in
            let existing = try tx.query("SELECT 1 FROM projector.pseudonym_key FOR UPDATE").rows.count
            if existing > 0 && !replace { return false as Bool? }
            try tx.execute(
                """
                INSERT INTO projector.pseudonym_key (key) VALUES (convert_to(\(key), 'UTF8'))
                ON CONFLICT (singleton) DO UPDATE SET key = EXCLUDED.key, set_at = now()
                """
            )
            return existing > 0
        }
    }

    private func readKey() throws -> String {
        if let fromEnv {
            guard let value = ProcessInfo.processInfo.environment[fromEnv], !value.isEmpty else {
                throw CommandFailure("environment variable \(fromEnv) is not set")
            }
            return value
        }
        guard let path = fromFile, let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the key file")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
