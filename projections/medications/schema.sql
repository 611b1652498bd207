-- Medications, repeat prescriptions and allergies, with the history of their changes (projection "medications").
-- Unqualified names: the engine runs this file with search_path set to the projection's schema.

CREATE TABLE medications (
    medication_id         text        PRIMARY KEY,
    nhs_number            text        NOT NULL,
    code                  text        NOT NULL,
    code_system           text        NOT NULL,
    name_en               text        NOT NULL,
    name_cy               text        NOT NULL,
    dosage_en             text        NOT NULL,
    dosage_cy             text        NOT NULL,
    cy_fallback           boolean     NOT NULL,
    quantity_value        numeric     NOT NULL,
    quantity_unit         text        NOT NULL,
    kind                  text        NOT NULL CHECK (kind IN ('acute', 'repeat')),
    repeats_authorised    integer,
    repeats_issued        integer     NOT NULL DEFAULT 0,
    status                text        NOT NULL CHECK (status IN ('active', 'stopped')),
    review_date           date,
    prescribed_at         timestamptz NOT NULL,
    prescriber_ods        text        NOT NULL,
    prescriber_name       text        NOT NULL,
    last_issued_at        timestamptz,
    last_dispensed_at     timestamptz,
    latest_request_id     text,
    latest_request_state  text
        CHECK (latest_request_state IN ('requested', 'approved', 'rejected', 'issued')),
    stopped_at            timestamptz,
    stop_reason_en        text,
    stop_reason_cy        text,
    source_system         text,
    last_position         bigint      NOT NULL
);

-- A patient's current medications, newest first, keyset-paginated on (prescribed_at, medication_id).
CREATE INDEX medications_patient_active
    ON medications (nhs_number, prescribed_at DESC, medication_id DESC)
    WHERE status = 'active';

CREATE TABLE repeat_requests (
    request_id           text        PRIMARY KEY,
    medication_id        text        NOT NULL,
    nhs_number           text        NOT NULL,
    state                text        NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'issued')),
    channel              text        NOT NULL CHECK (channel IN ('app', 'pharmacy', 'practice')),
    requested_at         timestamptz NOT NULL,
    approved_at          timestamptz,
    approved_by_ods      text,
    approved_by_name     text,
    rejected_at          timestamptz,
    rejection_reason_en  text,
    rejection_reason_cy  text,
    prescription_id      text,
    issued_at            timestamptz,
    last_position        bigint      NOT NULL
);

-- A patient's repeat requests still in progress (requested or approved), newest first.
CREATE INDEX repeat_requests_patient_open
    ON repeat_requests (nhs_number, requested_at DESC, request_id DESC)
    WHERE state IN ('requested', 'approved');

CREATE TABLE prescriptions (
    prescription_id          text        PRIMARY KEY,
    medication_id            text        NOT NULL,
    nhs_number               text        NOT NULL,
    request_id               text,
    issued_at                timestamptz NOT NULL,
    nominated_pharmacy_ods   text,
    nominated_pharmacy_name  text,
    dispensed_at             timestamptz,
    dispenser_ods            text,
    dispenser_name           text,
    last_position            bigint      NOT NULL
);

CREATE INDEX prescriptions_request ON prescriptions (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE allergies (
    allergy_id                text        PRIMARY KEY,
    nhs_number                text        NOT NULL,
    substance_code            text        NOT NULL,
    substance_system          text        NOT NULL,
    substance_name_en         text        NOT NULL,
    substance_name_cy         text        NOT NULL,
    reaction_en               text,
    reaction_cy               text,
    cy_fallback               boolean     NOT NULL,
    severity                  text        NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    status                    text        NOT NULL CHECK (status IN ('active', 'resolved', 'entered-in-error')),
    visible_to_patient        boolean     NOT NULL,
    recorded_at               timestamptz NOT NULL,
    recorded_by_ods           text        NOT NULL,
    recorded_by_name          text        NOT NULL,
    resolved_at               timestamptz,
    entered_in_error_reason   text,
    last_position             bigint      NOT NULL
);

-- A patient's allergies as the patient sees them (not those entered in error), newest first.
CREATE INDEX allergies_patient_visible
    ON allergies (nhs_number, recorded_at DESC, allergy_id DESC)
    WHERE visible_to_patient;

CREATE TABLE medication_history (
    subject_id       text        NOT NULL,
    global_position  bigint      NOT NULL,
    subject          text        NOT NULL
        CHECK (subject IN ('medication', 'repeat-request', 'prescription', 'allergy')),
    medication_id    text,
    nhs_number       text        NOT NULL,
    change           text        NOT NULL
        CHECK (change IN ('prescribed', 'stopped', 'requested', 'approved', 'rejected', 'issued', 'dispensed',
                          'recorded', 'resolved', 'entered-in-error')),
    changed_at       timestamptz,
    by_ods           text,
    last_position    bigint      NOT NULL,
    PRIMARY KEY (subject_id, global_position)
);

-- Each repeat request with its whole state machine, dispensing included: the request's row ends at issued,
-- because the dispensing event names the prescription, not the request.
CREATE VIEW repeat_request_steps AS
    SELECT r.request_id, r.medication_id, r.nhs_number,
           CASE WHEN p.dispensed_at IS NOT NULL THEN 'dispensed' ELSE r.state END AS state,
           r.channel, r.requested_at, r.approved_at, r.rejected_at, r.issued_at, p.dispensed_at,
           greatest(r.last_position, p.last_position) AS last_position
    FROM repeat_requests r
    LEFT JOIN prescriptions p ON p.prescription_id = r.prescription_id;

COMMENT ON TABLE medications IS
    'One row per medication course: the medicine, dosage and quantity in English and Welsh, acute or repeat, '
    'repeats authorised and issued, status (active or stopped), review date, the last issue and dispensing, '
    'and the latest step of its repeat requests. Every value is derived from the event log alone.';
COMMENT ON COLUMN medications.medication_id IS 'The producer''s id of the course (the stream is medication-<id>).';
COMMENT ON COLUMN medications.nhs_number IS
    'The NHS number the prescription named. Identifies a person: pseudonymise before analysis. A merged '
    'patient''s rows are found with nhs_number = ANY (patient_numbers(n)).';
COMMENT ON COLUMN medications.code IS 'The medicine''s code (dm+d or SNOMED CT).';
COMMENT ON COLUMN medications.code_system IS 'The code system of code.';
COMMENT ON COLUMN medications.name_en IS 'The medicine''s name in English.';
COMMENT ON COLUMN medications.name_cy IS 'The medicine''s name in Welsh; the English when none was sent (see cy_fallback).';
COMMENT ON COLUMN medications.dosage_en IS 'How to take it, in English.';
COMMENT ON COLUMN medications.dosage_cy IS 'How to take it, in Welsh; the English when none was sent (see cy_fallback).';
COMMENT ON COLUMN medications.cy_fallback IS 'True when the Welsh name or dosage is the English because none was sent.';
COMMENT ON COLUMN medications.quantity_value IS 'How much is supplied each time it is issued.';
COMMENT ON COLUMN medications.quantity_unit IS 'The unit of quantity_value (tablet, ml …).';
COMMENT ON COLUMN medications.kind IS 'acute (a one-off course) or repeat (issued again on each approved request).';
COMMENT ON COLUMN medications.repeats_authorised IS 'How many issues a repeat allows; NULL for acute or when not stated.';
COMMENT ON COLUMN medications.repeats_issued IS 'How many prescriptions were issued for it.';
COMMENT ON COLUMN medications.status IS 'active, or stopped (MedicationStopped).';
COMMENT ON COLUMN medications.review_date IS 'When the course is to be reviewed, when stated.';
COMMENT ON COLUMN medications.prescribed_at IS 'When it was prescribed.';
COMMENT ON COLUMN medications.prescriber_ods IS 'The prescriber''s ODS code.';
COMMENT ON COLUMN medications.prescriber_name IS 'The prescriber''s name.';
COMMENT ON COLUMN medications.last_issued_at IS 'When a prescription for it was last issued.';
COMMENT ON COLUMN medications.last_dispensed_at IS 'When a prescription for it was last dispensed.';
COMMENT ON COLUMN medications.latest_request_id IS 'The repeat request whose event came last.';
COMMENT ON COLUMN medications.latest_request_state IS
    'That request''s state: requested, approved, rejected or issued (dispensing shows in last_dispensed_at).';
COMMENT ON COLUMN medications.stopped_at IS 'When it was stopped.';
COMMENT ON COLUMN medications.stop_reason_en IS 'Why it was stopped, in English, when given.';
COMMENT ON COLUMN medications.stop_reason_cy IS 'Why it was stopped, in Welsh; the English when none was sent.';
COMMENT ON COLUMN medications.source_system IS 'The producing system of the prescription (metadata.sourceSystem).';
COMMENT ON COLUMN medications.last_position IS 'The global_position of the last event that changed the row (lineage).';

COMMENT ON TABLE repeat_requests IS
    'One row per repeat prescription request and its state: requested, then approved or rejected, then '
    'issued (the prescription it led to, whose dispensing is in prescriptions). Each step''s time is kept, '
    'so turnaround is a subtraction.';
COMMENT ON COLUMN repeat_requests.request_id IS 'The producer''s id of the request.';
COMMENT ON COLUMN repeat_requests.medication_id IS 'The repeat medication asked for (medications.medication_id).';
COMMENT ON COLUMN repeat_requests.nhs_number IS 'As medications.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN repeat_requests.state IS 'requested, approved, rejected or issued.';
COMMENT ON COLUMN repeat_requests.channel IS 'Where it was asked for: app, pharmacy or practice.';
COMMENT ON COLUMN repeat_requests.requested_at IS 'When it was asked for.';
COMMENT ON COLUMN repeat_requests.approved_at IS 'When it was approved.';
COMMENT ON COLUMN repeat_requests.approved_by_ods IS 'The ODS code of who approved it (the practice).';
COMMENT ON COLUMN repeat_requests.approved_by_name IS 'The name of who approved it.';
COMMENT ON COLUMN repeat_requests.rejected_at IS 'When it was rejected.';
COMMENT ON COLUMN repeat_requests.rejection_reason_en IS 'Why it was rejected, in English (shown to the patient).';
COMMENT ON COLUMN repeat_requests.rejection_reason_cy IS 'Why it was rejected, in Welsh; the English when none was sent.';
COMMENT ON COLUMN repeat_requests.prescription_id IS 'The prescription issued for it (prescriptions.prescription_id).';
COMMENT ON COLUMN repeat_requests.issued_at IS 'When that prescription was issued.';
COMMENT ON COLUMN repeat_requests.last_position IS 'The global_position of the last event that changed the row (lineage).';

COMMENT ON TABLE prescriptions IS
    'One row per prescription issued (Electronic Prescription Service): for an approved repeat request or an '
    'acute course, where it was to be dispensed, and when and where it was.';
COMMENT ON COLUMN prescriptions.prescription_id IS 'The producer''s id of the prescription.';
COMMENT ON COLUMN prescriptions.medication_id IS 'Its medication (medications.medication_id).';
COMMENT ON COLUMN prescriptions.nhs_number IS 'As medications.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN prescriptions.request_id IS 'The repeat request it fulfils; NULL for an acute course.';
COMMENT ON COLUMN prescriptions.issued_at IS 'When it was issued.';
COMMENT ON COLUMN prescriptions.nominated_pharmacy_ods IS 'The ODS code of the pharmacy the patient nominated, when any.';
COMMENT ON COLUMN prescriptions.nominated_pharmacy_name IS 'The name of that pharmacy.';
COMMENT ON COLUMN prescriptions.dispensed_at IS 'When it was dispensed; NULL until then.';
COMMENT ON COLUMN prescriptions.dispenser_ods IS 'The ODS code of the pharmacy that dispensed it.';
COMMENT ON COLUMN prescriptions.dispenser_name IS 'The name of that pharmacy.';
COMMENT ON COLUMN prescriptions.last_position IS 'The global_position of the last event that changed the row (lineage).';

COMMENT ON TABLE allergies IS
    'One row per allergy: the substance and reaction in English and Welsh, severity, and status (active, '
    'resolved, or entered in error: then hidden from the patient, kept for audit).';
COMMENT ON COLUMN allergies.allergy_id IS 'The producer''s id of the allergy (the stream is allergy-<id>).';
COMMENT ON COLUMN allergies.nhs_number IS 'As medications.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN allergies.substance_code IS 'The substance''s code (SNOMED CT or dm+d).';
COMMENT ON COLUMN allergies.substance_system IS 'The code system of substance_code.';
COMMENT ON COLUMN allergies.substance_name_en IS 'The substance''s name in English.';
COMMENT ON COLUMN allergies.substance_name_cy IS 'The substance''s name in Welsh; the English when none was sent.';
COMMENT ON COLUMN allergies.reaction_en IS 'The reaction in English, when known.';
COMMENT ON COLUMN allergies.reaction_cy IS 'The reaction in Welsh; the English when none was sent.';
COMMENT ON COLUMN allergies.cy_fallback IS 'True when a Welsh text is the English because none was sent.';
COMMENT ON COLUMN allergies.severity IS 'mild, moderate or severe.';
COMMENT ON COLUMN allergies.status IS 'active, resolved or entered-in-error.';
COMMENT ON COLUMN allergies.visible_to_patient IS 'False once entered in error: it leaves every patient-facing view.';
COMMENT ON COLUMN allergies.recorded_at IS 'When it was recorded.';
COMMENT ON COLUMN allergies.recorded_by_ods IS 'The ODS code of who recorded it.';
COMMENT ON COLUMN allergies.recorded_by_name IS 'The name of who recorded it.';
COMMENT ON COLUMN allergies.resolved_at IS 'When it was resolved.';
COMMENT ON COLUMN allergies.entered_in_error_reason IS 'Why it was entered in error (free text: for audit, not for analysts).';
COMMENT ON COLUMN allergies.last_position IS 'The global_position of the last event that changed the row (lineage).';

COMMENT ON TABLE medication_history IS
    'One row per change of a medication, repeat request, prescription or allergy, keyed by the event''s position.';
COMMENT ON COLUMN medication_history.subject_id IS 'The id of what changed (a medication, request, prescription or allergy id).';
COMMENT ON COLUMN medication_history.global_position IS 'The position of the event that made the change.';
COMMENT ON COLUMN medication_history.subject IS 'medication, repeat-request, prescription or allergy.';
COMMENT ON COLUMN medication_history.medication_id IS 'The medication it belongs to; NULL for an allergy.';
COMMENT ON COLUMN medication_history.nhs_number IS 'As medications.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN medication_history.change IS
    'prescribed, stopped, requested, approved, rejected, issued, dispensed, recorded, resolved or entered-in-error.';
COMMENT ON COLUMN medication_history.changed_at IS 'When it happened: the event''s own time field; for an entry in error, metadata.occurredAt (NULL when not sent).';
COMMENT ON COLUMN medication_history.by_ods IS 'The ODS code of who did it, when the event names one.';
COMMENT ON COLUMN medication_history.last_position IS 'Equal to global_position: history rows never change.';

COMMENT ON VIEW repeat_request_steps IS
    'One row per repeat request with its state machine: requested, then approved or rejected, then issued, '
    'then dispensed; and the time of each step (turnaround is a subtraction).';
COMMENT ON COLUMN repeat_request_steps.request_id IS 'As repeat_requests.request_id.';
COMMENT ON COLUMN repeat_request_steps.medication_id IS 'As repeat_requests.medication_id.';
COMMENT ON COLUMN repeat_request_steps.nhs_number IS 'As repeat_requests.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN repeat_request_steps.state IS 'requested, approved, rejected, issued or dispensed.';
COMMENT ON COLUMN repeat_request_steps.channel IS 'Where it was asked for: app, pharmacy or practice.';
COMMENT ON COLUMN repeat_request_steps.requested_at IS 'When it was asked for.';
COMMENT ON COLUMN repeat_request_steps.approved_at IS 'When it was approved.';
COMMENT ON COLUMN repeat_request_steps.rejected_at IS 'When it was rejected.';
COMMENT ON COLUMN repeat_request_steps.issued_at IS 'When its prescription was issued.';
COMMENT ON COLUMN repeat_request_steps.dispensed_at IS 'When its prescription was dispensed.';
COMMENT ON COLUMN repeat_request_steps.last_position IS 'The global_position of the last event that changed the request or its prescription.';
