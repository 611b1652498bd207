import Testing

@testable import Postgres

/// Which failures a runner waits out and reconnects after, and which end it with a message.
@Suite struct OutageClassificationTests {
    @Test(arguments: [
        "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused",
        "server closed the connection unexpectedly",
        "connection to server at \"db\" (10.0.0.5), port 5432 failed: timeout expired",
        "FATAL:  the database system is starting up",
        "could not translate host name \"db\" to address: Temporary failure in name resolution",
    ])
    func aLostOrRefusedConnectionIsAnOutage(message: String) {
        let error = PostgresError(kind: .connection, message: message)
        #expect(error.isConnectionLoss)
        #expect(!error.isPermanentConnectFailure)
    }

    @Test(arguments: [
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"x\"",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"nodb\" does not exist",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  role \"nobody\" does not exist",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  no pg_hba.conf entry for host",
        "invalid sslmode value: \"bogus\"",
        "invalid connection string: the connection string does not parse",
    ])
    func aFailureNoRetryMendsEndsTheRun(message: String) {
        let error = PostgresError(kind: .connection, message: message)
        #expect(!error.isConnectionLoss)
        #expect(error.isPermanentConnectFailure)
    }

    @Test(arguments: ["57P01", "57P02", "57P03", "08006", "08003", "53300", "25P03"])
    func serverErrorsThatEndASessionAreOutages(sqlState: String) {
        #expect(PostgresError(kind: .server, sqlState: sqlState, message: "…").isConnectionLoss)
    }

    @Test(arguments: ["23505", "42P01", "40P01", "55P03", "57014"])
    func otherServerErrorsAreNot(sqlState: String) {
        let error = PostgresError(kind: .server, sqlState: sqlState, message: "… does not exist …")
        #expect(!error.isConnectionLoss)
        #expect(!error.isPermanentConnectFailure)
    }

    @Test func aBareDatabaseNameIsNotRefusedAsAMalformedConnectionString() throws {
        try Connection.checkSyntax(of: "records")
        try Connection.checkSyntax(of: "")
        #expect(throws: PostgresError.self) { try Connection.checkSyntax(of: "host=x nosuchkey=1") }
        #expect(throws: PostgresError.self) { try Connection.checkSyntax(of: "postgres://u:p@[::1/db") }
    }
}
