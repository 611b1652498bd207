import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// `projector dead-letters` as ops use it: an appointment cancelled before it was booked.
@Suite struct DeadLetterCommandTests {
    static let nhs = "9434765919"

    func append(_ type: String, _ data: String, id: Int, url: String) async throws {
        let result = try await ProjectorBinary.run(
            [
                "append", "--stream", "appointment-a1", "--type", type, "--data", data,
                "--event-id", "20000000-0000-4000-8000-00000000000\(id)",
            ],
            database: url
        )
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func listRetryAndSkipThroughTheCLI() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await append(
                "AppointmentCancelled",
                #"{"appointmentId": "a1", "nhsNumber": "\#(Self.nhs)", "cancelledBy": "patient"}"#,
                id: 1,
                url: url
            )
            let run = ["run", "--only", "appointments", "--exit-when-caught-up"]
            #expect(try await ProjectorBinary.run(run, database: url).status == 0)

            let list = try await ProjectorBinary.run(["dead-letters", "list", "appointments"], database: url)
            #expect(list.status == 0)
            #expect(list.stdout.contains("appointment not booked"))
            #expect(!list.stdout.contains(Self.nhs) && !list.stdout.contains("appointment-a1"), "no patient data")

            // Still failing: exit code 1, and the letter stays parked.
            let early = try await ProjectorBinary.run(
                ["dead-letters", "retry", "appointments", "--all"],
                database: url
            )
            #expect(early.status == 1)
            #expect(early.stdout.contains("still failing: appointment not booked"))

            try await append(
                "AppointmentBooked",
                #"""
                {"appointmentId": "a1", "nhsNumber": "\#(Self.nhs)", "startsAt": "2026-02-01T10:00:00Z",
                 "clinic": {"code": "DIAB", "name": {"en": "Diabetes Clinic"}}, "specialty": "Diabetology",
                 "organisation": {"odsCode": "7A4", "name": "Cardiff and Vale UHB"}, "mode": "video"}
                """#,
                id: 2,
                url: url
            )
            #expect(try await ProjectorBinary.run(run, database: url).status == 0)
            let retry = try await ProjectorBinary.run(
                ["dead-letters", "retry", "appointments", "--all", "--by", "ops-carol"],
                database: url
            )
            #expect(retry.status == 0, "\(retry.stdout) \(retry.stderr)")
            #expect(retry.stdout.contains("1 applied, 0 still parked"))
            let state = try await conn.query("SELECT state FROM appointments.appointments").rows
            #expect(try state.map { try $0.decode(String.self, at: 0) } == ["cancelled"])

            let json = try await ProjectorBinary.run(
                ["dead-letters", "list", "--status", "all", "--json"],
                database: url
            )
            let letters = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(letters?.count == 1)
            #expect(letters?.first?["status"] as? String == "retried")
            #expect(letters?.first?["handledBy"] as? String == "ops-carol")

            let noReason = try await ProjectorBinary.run(
                ["dead-letters", "skip", "appointments", "--all"],
                database: url
            )
            #expect(noReason.status == 64)
            let unknown = try await ProjectorBinary.run(["dead-letters", "list", "nosuch"], database: url)
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("unknown projection nosuch"))
        }
    }

    @Test(.bug(id: 12, "retry and skip of an unknown id reported \"0 skipped\" with exit code 0"))
    func retryAndSkipRefuseIDsThatAreNoDeadLettersOfTheProjection() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await append(
                "AppointmentCancelled",
                #"{"appointmentId": "a1", "nhsNumber": "\#(Self.nhs)", "cancelledBy": "patient"}"#,
                id: 1,
                url: url
            )
            #expect(
                try await ProjectorBinary.run(
                    ["run", "--only", "appointments", "--exit-when-caught-up"],
                    database: url
                )
                .status == 0
            )
            let id = try await conn.query("SELECT id FROM projector.dead_letters").rows[0].decode(Int64.self, at: 0)
            let unknown = id + 12_345
            for command in [["retry", "appointments"], ["skip", "appointments", "--reason", "test"]] {
                let result = try await ProjectorBinary.run(
                    ["dead-letters"] + command + ["--id", "\(id)", "--id", "\(unknown)"],
                    database: url
                )
                #expect(result.status == 1, "\(command): \(result.stdout)")
                #expect(result.stderr.contains("no dead letter has id \(unknown)"), "\(result.stderr)")
                #expect(result.stderr.contains("nothing was done"))
                let other = try await ProjectorBinary.run(
                    ["dead-letters"] + command.replacing(["appointments"], with: ["timeline"]) + ["--id", "\(id)"],
                    database: url
                )
                #expect(other.status == 1)
                #expect(other.stderr.contains("dead letter \(id) is appointments's, not timeline's"), "\(other.stderr)")
            }
            let status = try await conn.query("SELECT status, attempts FROM projector.dead_letters").rows[0]
            #expect(try status.decode(String.self, at: 0) == "parked", "nothing was retried or skipped")

            #expect(
                try await ProjectorBinary.run(
                    ["dead-letters", "skip", "appointments", "--id", "\(id)", "--reason", "test"],
                    database: url
                ).status == 0
            )
            // A letter handled already is known: skipping it again does nothing, and is no error.
            let again = try await ProjectorBinary.run(
                ["dead-letters", "skip", "appointments", "--id", "\(id)", "--reason", "test"],
                database: url
            )
            #expect(again.status == 0 && again.stdout.contains("0 skipped"), "\(again.stderr)")
        }
    }

    @Test func parkedBehindLettersThroughTheCLIAreShownRefusedAloneAndReleasedByTheirFirst() async throws {
        try await TestDatabase.withConnection { conn, url in
            let nhs = Self.nhs
            try await append(
                "AppointmentBooked",
                #"""
                {"appointmentId": "a1", "nhsNumber": "\#(nhs)", "startsAt": "2026-02-01T10:00:00Z",
                 "clinic": {"code": "DIAB", "name": {"en": "Diabetes Clinic"}}, "specialty": "Diabetology",
                 "organisation": {"odsCode": "7A4", "name": "Cardiff and Vale UHB"}, "mode": "video"}
                """#,
                id: 1,
                url: url
            )
            // No offset on startsAt: invalid, and the cancellation after it waits behind it.
            try await append(
                "AppointmentRescheduled",
                #"{"appointmentId": "a1", "nhsNumber": "\#(nhs)", "startsAt": "2026-02-08T10:00:00"}"#,
                id: 2,
                url: url
            )
            try await append(
                "AppointmentCancelled",
                #"{"appointmentId": "a1", "nhsNumber": "\#(nhs)", "cancelledBy": "patient"}"#,
                id: 3,
                url: url
            )
            let run = try await ProjectorBinary.run(
                ["run", "--only", "appointments", "--exit-when-caught-up", "--log-level", "info"],
                database: url
            )
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("event parked behind a dead letter of its stream"), "\(run.stderr)")
            let state = {
                try await conn.query("SELECT state FROM appointments.appointments").rows[0].decode(String.self, at: 0)
            }
            #expect(try await state() == "booked")

            let ids = try await conn.query("SELECT id FROM projector.dead_letters ORDER BY global_position").rows.map {
                try $0.decode(Int64.self, at: 0)
            }
            #expect(ids.count == 2)
            let list = try await ProjectorBinary.run(["dead-letters", "list", "appointments"], database: url)
            #expect(list.stdout.contains("BEHIND") && list.stdout.contains("parked-behind"), "\(list.stdout)")
            let json = try await ProjectorBinary.run(["dead-letters", "list", "--json"], database: url)
            let letters = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(letters?.map { $0["category"] as? String } == ["invalid-payload", "parked-behind"])
            #expect(letters?[1]["behindID"] as? Int == Int(ids[0]) && letters?[0]["behindID"] == nil)
            let status = try await ProjectorBinary.run(["status"], database: url)
            #expect(status.stdout.contains("2 (1 parked behind)"), "\(status.stdout)")
            let statusJSON = try await ProjectorBinary.run(["status", "--json"], database: url)
            #expect(statusJSON.stdout.contains(#""deadLettersParkedBehind":1"#), "\(statusJSON.stdout)")
            let port = TestPorts.http()
            let serving = try ProjectorBinary.start(
                ["run", "--only", "appointments", "--http-port", "\(port)", "--sample-interval", "0.2"],
                database: url
            )
            try await waitUntil("the dead-letter gauges") {
                let samples = try PrometheusText.parse(try await HTTPGet.get("/metrics", port: port).text)
                func gauge(_ name: String) -> Double? {
                    samples.first { $0.name == name && $0.labels["projection"] == "appointments" }?.value
                }
                return gauge("projector_dead_letters") == 2 && gauge("projector_dead_letters_parked_behind") == 1
            }
            serving.terminate()
            await ProjectorBinary.waitForExit(serving)

            // The parked-behind letter alone: refused, nothing done.
            for command in [["retry", "appointments"], ["skip", "appointments", "--reason", "test"]] {
                let alone = try await ProjectorBinary.run(
                    ["dead-letters"] + command + ["--id", "\(ids[1])"],
                    database: url
                )
                #expect(alone.status == 1)
                #expect(
                    alone.stderr.contains("dead letter \(ids[1]) waits behind dead letter \(ids[0]) of its stream"),
                    "\(alone.stderr)"
                )
            }
            let retry = try await ProjectorBinary.run(
                ["dead-letters", "retry", "appointments", "--all"],
                database: url
            )
            #expect(retry.status == 1)
            #expect(retry.stdout.contains("\(ids[0]): still failing: ") && retry.stdout.contains("1 parked behind it"))
            #expect(try await state() == "booked")

            // Skipping the reschedule releases the cancellation.
            let skip = try await ProjectorBinary.run(
                ["dead-letters", "skip", "appointments", "--id", "\(ids[0])", "--reason", "producer resent it"],
                database: url
            )
            #expect(skip.status == 0, "\(skip.stdout) \(skip.stderr)")
            #expect(skip.stdout.contains("released and applied \(ids[1])") && skip.stdout.contains("1 skipped"))
            #expect(try await state() == "cancelled")
            for output in [run.stderr, list.stdout, json.stdout, retry.stdout, retry.stderr, skip.stdout, skip.stderr] {
                #expect(!output.contains(nhs) && !output.contains("appointment-a1"), "no patient data")
            }
        }
    }
}
