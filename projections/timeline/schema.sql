-- The patient's health timeline (projection "timeline", version 1).
-- Unqualified names: the engine runs this file with search_path set to the projection's schema.

CREATE TABLE entries (
    entry_id              text        PRIMARY KEY,
    nhs_number            text        NOT NULL,
    kind                  text        NOT NULL
        CHECK (kind IN ('appointment', 'test-order', 'result', 'journal', 'registration', 'medication',
                       'repeat-request', 'prescription', 'allergy')),
    occurred_at           timestamptz NOT NULL,
    status                text,
    title_en              text,
    title_cy              text,
    summary_en            text,
    summary_cy            text,
    cy_fallback           boolean     NOT NULL DEFAULT false,
    detail_kind           text,
    detail_id             text,
    detail_location       text,
    source_system         text,
    visible_to_patient    boolean     NOT NULL DEFAULT true,
    shared_with_care_team boolean,
    last_position         bigint      NOT NULL
);

-- A patient's timeline, newest first, keyset-paginated on (occurred_at, entry_id).
CREATE INDEX entries_patient_newest
    ON entries (nhs_number, occurred_at DESC, entry_id DESC)
    WHERE visible_to_patient;

-- The same, filtered by kind ("my results", "my appointments").
CREATE INDEX entries_patient_kind_newest
    ON entries (nhs_number, kind, occurred_at DESC, entry_id DESC)
    WHERE visible_to_patient;

COMMENT ON TABLE entries IS
    'A patient''s health timeline: one row per appointment, test order, test result, journal entry and '
    'app registration, updated in place as later events change it. Rows hidden from the patient '
    '(visible_to_patient = false) are kept for audit. Every value is derived from the event log alone.';

COMMENT ON COLUMN entries.entry_id IS
    'Primary key: the kind''s prefix and the producer''s id, e.g. appointment:<appointmentId>, '
    'order:<orderId>, result:<resultId>, journal:<entryId>, registration:<nhsNumber>.';
COMMENT ON COLUMN entries.nhs_number IS
    'The patient''s NHS number: 10 digits, no spaces, Modulus 11 checked. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN entries.kind IS
    'What the entry is about: appointment, test-order, result, journal, registration, medication, '
    'repeat-request, prescription or allergy.';
COMMENT ON COLUMN entries.occurred_at IS
    'Where the entry sits on the timeline: the appointment''s current start, when the test was ordered, '
    'when the result was produced, when the journal entry was written, or when the patient registered.';
COMMENT ON COLUMN entries.status IS
    'The entry''s latest state. Appointments: booked, rescheduled, cancelled, attended, missed. '
    'Test orders: ordered, resulted. Results: preliminary, final, amended, entered-in-error. '
    'Registration: registered. Journal entries: null.';
COMMENT ON COLUMN entries.title_en IS
    'Title in English, e.g. "Appointment: Diabetes clinic", "Test result: HbA1c".';
COMMENT ON COLUMN entries.title_cy IS
    'Title in Welsh, e.g. "Apwyntiad: Clinig diabetes"; English producer text where no Welsh was sent (see cy_fallback).';
COMMENT ON COLUMN entries.summary_en IS
    'One line in English on what happened last, e.g. "Booked · Video · Cardiology", "5.4 mmol/L (normal)", '
    'or the first 200 characters of a journal entry.';
COMMENT ON COLUMN entries.summary_cy IS
    'The same line in Welsh, e.g. "Wedi''i drefnu · Fideo · Cardiology", "5.4 mmol/L (arferol)"; '
    'a journal entry in the language the patient wrote it in.';
COMMENT ON COLUMN entries.cy_fallback IS
    'True when some Welsh text of this entry is English because the producer sent no Welsh (clinic or test '
    'name) or the patient wrote the journal entry in English. Names of people, organisations and specialties '
    'are shown as sent in both languages and do not count.';
COMMENT ON COLUMN entries.detail_kind IS
    'What "show more" opens: appointment, test-order, result or journal (the read model holding the full '
    'record); null for registration.';
COMMENT ON COLUMN entries.detail_id IS
    'The id "show more" opens within detail_kind: appointmentId, orderId, resultId or entryId.';
COMMENT ON COLUMN entries.detail_location IS
    'For results, reportLocation: the URI where the full report is held. Null otherwise.';
COMMENT ON COLUMN entries.source_system IS
    'metadata.sourceSystem of the event that created the entry (an ODS code or system name); null when not sent.';
COMMENT ON COLUMN entries.visible_to_patient IS
    'False when the patient must not see the entry (a result entered in error); such rows stay for audit. '
    'Patient-facing queries filter on it, and the indexes cover only visible rows.';
COMMENT ON COLUMN entries.shared_with_care_team IS
    'For journal entries, whether the patient shares the entry with their care team; null for other kinds.';
COMMENT ON COLUMN entries.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage).';
