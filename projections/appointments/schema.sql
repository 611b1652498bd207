-- Appointments with their current state and the history of their changes (projection "appointments", version 1).
-- Unqualified names: the engine runs this file with search_path set to the projection's schema.

CREATE TABLE appointments (
    appointment_id    text        PRIMARY KEY,
    nhs_number        text        NOT NULL,
    state             text        NOT NULL
        CHECK (state IN ('booked', 'rescheduled', 'cancelled', 'attended', 'missed')),
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz,
    clinic_code       text,
    clinic_name_en    text,
    clinic_name_cy    text,
    cy_fallback       boolean     NOT NULL DEFAULT false,
    specialty         text,
    organisation_ods  text,
    organisation_name text,
    mode              text
        CHECK (mode IN ('in-person', 'video', 'telephone')),
    booking_reference text,
    booked_at         timestamptz,
    rescheduled_at    timestamptz,
    cancelled_at      timestamptz,
    cancelled_by      text
        CHECK (cancelled_by IN ('patient', 'provider')),
    attended_at       timestamptz,
    missed_at         timestamptz,
    reschedule_count  integer     NOT NULL DEFAULT 0,
    source_system     text,
    last_position     bigint      NOT NULL
);

-- A patient's upcoming appointments, soonest first, keyset-paginated on (starts_at, appointment_id).
CREATE INDEX appointments_patient_upcoming
    ON appointments (nhs_number, starts_at, appointment_id)
    WHERE state IN ('booked', 'rescheduled');

-- All of a patient's appointments, latest start first, whatever their state.
CREATE INDEX appointments_patient_latest
    ON appointments (nhs_number, starts_at DESC);

CREATE TABLE appointment_history (
    appointment_id  text        NOT NULL,
    global_position bigint      NOT NULL,
    nhs_number      text        NOT NULL,
    change          text        NOT NULL
        CHECK (change IN ('booked', 'rescheduled', 'cancelled', 'attended', 'missed')),
    changed_at      timestamptz,
    starts_at       timestamptz,
    ends_at         timestamptz,
    cancelled_by    text
        CHECK (cancelled_by IN ('patient', 'provider')),
    reason          text,
    last_position   bigint      NOT NULL,
    PRIMARY KEY (appointment_id, global_position)
);

COMMENT ON TABLE appointments IS
    'One row per appointment with its current state, times, clinic, specialty, organisation, mode and how '
    'often it was rescheduled. Created by its booking and updated in place by later events; every value is '
    'derived from the event log alone. Each *_at transition column holds the last time that transition '
    'happened, whatever the state is now.';

COMMENT ON COLUMN appointments.appointment_id IS
    'Primary key: the producer''s appointmentId (usually a uuid); the event stream is appointment-<appointmentId>.';
COMMENT ON COLUMN appointments.nhs_number IS
    'The patient''s NHS number: 10 digits, no spaces, Modulus 11 checked. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN appointments.state IS
    'The current state: booked, rescheduled, cancelled, attended or missed (did not attend), as the latest event says.';
COMMENT ON COLUMN appointments.starts_at IS
    'When the appointment starts: startsAt of the booking, or of the latest reschedule.';
COMMENT ON COLUMN appointments.ends_at IS
    'When the appointment ends: endsAt of the booking or latest reschedule; null when that event sent none '
    '(a reschedule without endsAt clears it, since the old end belongs to the old slot).';
COMMENT ON COLUMN appointments.clinic_code IS
    'The clinic''s code at its organisation, as booked.';
COMMENT ON COLUMN appointments.clinic_name_en IS
    'The clinic''s name in English, e.g. "Diabetes clinic".';
COMMENT ON COLUMN appointments.clinic_name_cy IS
    'The clinic''s name in Welsh, e.g. "Clinig diabetes"; the English name where no Welsh was sent (see cy_fallback).';
COMMENT ON COLUMN appointments.cy_fallback IS
    'True when clinic_name_cy holds the English name because the booking sent no Welsh name.';
COMMENT ON COLUMN appointments.specialty IS
    'The specialty as the producer names it (not translated), e.g. "Diabetology".';
COMMENT ON COLUMN appointments.organisation_ods IS
    'ODS code of the organisation that runs the clinic, e.g. "7A4".';
COMMENT ON COLUMN appointments.organisation_name IS
    'Name of the organisation that runs the clinic, as the producer gives it.';
COMMENT ON COLUMN appointments.mode IS
    'How the appointment takes place: in-person, video or telephone.';
COMMENT ON COLUMN appointments.booking_reference IS
    'The e-Referral Service Unique Booking Reference Number (12 digits); null when the booking sent none.';
COMMENT ON COLUMN appointments.booked_at IS
    'metadata.occurredAt of the latest booking event: when it was booked in the world; null when not sent.';
COMMENT ON COLUMN appointments.rescheduled_at IS
    'metadata.occurredAt of the last reschedule; null when never rescheduled or the event did not say.';
COMMENT ON COLUMN appointments.cancelled_at IS
    'metadata.occurredAt of the last cancellation; null when never cancelled or the event did not say.';
COMMENT ON COLUMN appointments.cancelled_by IS
    'Who made the last cancellation: patient or provider; null when never cancelled.';
COMMENT ON COLUMN appointments.attended_at IS
    'attendedAt of the last attendance: when the patient arrived or was seen; null when not attended.';
COMMENT ON COLUMN appointments.missed_at IS
    'metadata.occurredAt of the last "did not attend"; null when never missed or the event did not say.';
COMMENT ON COLUMN appointments.reschedule_count IS
    'How many times the appointment was rescheduled: 0 at booking, plus 1 per reschedule. A repeated booking '
    'of the same appointment keeps the count.';
COMMENT ON COLUMN appointments.source_system IS
    'metadata.sourceSystem of the latest booking event (an ODS code or system name); null when not sent.';
COMMENT ON COLUMN appointments.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage).';

COMMENT ON TABLE appointment_history IS
    'Every change of every appointment, one row per event: booked, rescheduled, cancelled, attended, missed. '
    'Rows are never updated; replaying the log writes the same rows. Order an appointment''s changes by '
    'global_position. Events for an appointment never booked are dead-lettered and leave no row here.';

COMMENT ON COLUMN appointment_history.appointment_id IS
    'The appointment changed; with global_position, the primary key. Joins appointments.appointment_id.';
COMMENT ON COLUMN appointment_history.global_position IS
    'global_position in eventlog.events of the event that made this change; orders an appointment''s changes.';
COMMENT ON COLUMN appointment_history.nhs_number IS
    'The patient''s NHS number as the event sent it: 10 digits, Modulus 11 checked. Identifies a person: '
    'pseudonymise before analysis.';
COMMENT ON COLUMN appointment_history.change IS
    'What happened: booked, rescheduled, cancelled, attended or missed (did not attend).';
COMMENT ON COLUMN appointment_history.changed_at IS
    'When it happened in the world: attendedAt for attended, metadata.occurredAt otherwise; null when not sent.';
COMMENT ON COLUMN appointment_history.starts_at IS
    'For booked and rescheduled: the start after this change. Null for other changes.';
COMMENT ON COLUMN appointment_history.ends_at IS
    'For booked and rescheduled: the end after this change, null when the event sent none. Null for other changes.';
COMMENT ON COLUMN appointment_history.cancelled_by IS
    'For cancelled: patient or provider. Null for other changes.';
COMMENT ON COLUMN appointment_history.reason IS
    'For rescheduled and cancelled: the producer''s free-text reason, null when none was sent. Free text may '
    'hold patient details: review before sharing.';
COMMENT ON COLUMN appointment_history.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage); history rows are '
    'never changed, so it equals global_position.';
