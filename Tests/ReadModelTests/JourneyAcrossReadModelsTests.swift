import EventLog
import Postgres
import PostgresTestSupport
import Testing

/// `PatientJourney` through the log and the engine into the four read models it touches (it has no medicines:
/// `MedicationsJourneyTests` has).
@Suite struct JourneyAcrossReadModelsTests {
    @Test(arguments: [1, 4, 500])
    func theJourneyEndsAsTheseRows(batchSize: Int) async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(PatientJourney.events)
            try await projectEverything(url: url, on: conn, batchSize: batchSize)

            #expect(
                try await dump(
                    """
                    SELECT appointment_id, state, starts_at, reschedule_count, cancelled_by, clinic_name_cy, cy_fallback,
                           last_position
                    FROM appointments.appointments ORDER BY 1
                    """,
                    on: conn
                ) == [
                    "a1|cancelled|2026-02-08 11:30:00+00|1|patient|Clinig Diabetes|f|4",
                    "a2|rescheduled|2026-09-08 10:00:00+00|1|NULL|Cardiology Clinic|t|16",
                ]
            )
            #expect(
                try await dump(
                    "SELECT appointment_id, change, last_position FROM appointments.appointment_history ORDER BY 3",
                    on: conn
                ) == [
                    "a1|booked|2", "a1|rescheduled|3", "a1|cancelled|4", "a2|booked|15", "a2|rescheduled|16",
                ]
            )

            #expect(
                try await dump(
                    """
                    SELECT result_id, status, value_numeric, unit, interpretation, abnormal, amendment_count,
                           visible_to_patient, order_id, last_position
                    FROM results.lab_results ORDER BY 1
                    """,
                    on: conn
                ) == [
                    "r1|final|48|mmol/mol|high|t|0|t|NULL|5",
                    "r2|entered-in-error|5.4|mmol/L|unknown|NULL|0|f|NULL|7",
                    "r3|amended|4.9|mmol/L|normal|f|1|t|o3|14",
                ]
            )
            #expect(
                try await dump(
                    "SELECT result_id, change FROM results.result_history ORDER BY global_position",
                    on: conn
                )
                    == ["r1|recorded", "r2|recorded", "r2|entered-in-error", "r3|recorded", "r3|amended"]
            )
            #expect(
                try await dump("SELECT order_id, ordered_at FROM results.orders", on: conn) == [
                    "o3|2026-02-01 09:00:00+00"
                ]
            )

            #expect(
                try await dump(
                    "SELECT consent_id, status, grantee_type, scopes, withdrawn_at FROM consent.consents ORDER BY 1",
                    on: conn
                ) == [
                    "c1|granted|organisation|{journal,results}|NULL",
                    "c2|withdrawn|person|{journal}|2026-03-01 00:00:00+00",
                ]
            )
            #expect(try await count("SELECT count(*) FROM consent.consent_history", on: conn) == 3)

            // Nothing silently inserted for the appointment and consent never created.
            #expect(
                try await dump(
                    "SELECT global_position, event_type, category, reason FROM projector.dead_letters ORDER BY 1",
                    on: conn
                ) == [
                    "17|AppointmentAttended|missing-precondition|appointment not booked",
                    "21|ConsentWithdrawn|missing-precondition|consent not granted",
                ]
            )
        }
    }
}
