-- Laboratory test orders and results (projection "results", version 1).
-- Unqualified names: the engine runs this file with search_path set to the projection's schema.

CREATE TABLE lab_results (
    result_id             text        PRIMARY KEY,
    nhs_number            text        NOT NULL,
    order_id              text,
    test_code             text,
    test_system           text,
    test_name_en          text,
    test_name_cy          text,
    cy_fallback           boolean     NOT NULL DEFAULT false,
    value_numeric         numeric,
    value_text            text,
    unit                  text,
    range_low             numeric,
    range_high            numeric,
    range_text            text,
    interpretation        text
        CHECK (interpretation IN ('normal', 'low', 'high', 'abnormal', 'critical', 'unknown')),
    abnormal              boolean,
    status                text
        CHECK (status IN ('preliminary', 'final', 'amended', 'entered-in-error')),
    collected_at          timestamptz NOT NULL,
    resulted_at           timestamptz NOT NULL,
    amended_at            timestamptz,
    entered_in_error_at   timestamptz,
    amendment_count       integer     NOT NULL DEFAULT 0,
    performer_ods         text,
    performer_name        text,
    report_location       text,
    source_schema_version integer,
    source_system         text,
    visible_to_patient    boolean     NOT NULL DEFAULT true,
    last_position         bigint      NOT NULL
);

-- A patient's results, newest first, keyset-paginated on (resulted_at, result_id).
CREATE INDEX lab_results_patient_newest
    ON lab_results (nhs_number, resulted_at DESC, result_id DESC)
    WHERE visible_to_patient;

-- The results of one order.
CREATE INDEX lab_results_order
    ON lab_results (order_id);

CREATE TABLE orders (
    order_id        text        PRIMARY KEY,
    nhs_number      text        NOT NULL,
    ordered_at      timestamptz NOT NULL,
    test_code       text,
    test_system     text,
    test_name_en    text,
    test_name_cy    text,
    cy_fallback     boolean     NOT NULL DEFAULT false,
    ordered_by_ods  text,
    ordered_by_name text,
    source_system   text,
    last_position   bigint      NOT NULL
);

CREATE TABLE result_history (
    result_id       text        NOT NULL,
    global_position bigint      NOT NULL,
    nhs_number      text        NOT NULL,
    change          text        NOT NULL
        CHECK (change IN ('recorded', 'amended', 'entered-in-error')),
    changed_at      timestamptz,
    status          text
        CHECK (status IN ('preliminary', 'final', 'amended', 'entered-in-error')),
    value_numeric   numeric,
    value_text      text,
    unit            text,
    range_low       numeric,
    range_high      numeric,
    range_text      text,
    interpretation  text
        CHECK (interpretation IN ('normal', 'low', 'high', 'abnormal', 'critical', 'unknown')),
    abnormal        boolean,
    reason          text,
    last_position   bigint      NOT NULL,
    PRIMARY KEY (result_id, global_position)
);

COMMENT ON TABLE lab_results IS
    'One row per laboratory result in its current version: test, value, unit, reference range, interpretation, '
    'status, times, performer and report location. Amendments update the row in place (result_history keeps every '
    'version); a result entered in error stays, hidden from the patient (visible_to_patient = false), for audit.';

COMMENT ON COLUMN lab_results.result_id IS
    'Primary key: the producer''s resultId (stream labresult-<resultId>).';
COMMENT ON COLUMN lab_results.nhs_number IS
    'The patient''s NHS number: 10 digits, no spaces, Modulus 11 checked. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN lab_results.order_id IS
    'The order this result answers (orders.order_id); null when the laboratory did not name one, e.g. an external '
    'laboratory. The order may be missing from orders when its TestOrdered event was never received.';
COMMENT ON COLUMN lab_results.test_code IS
    'The test''s code in test_system, e.g. GLU.';
COMMENT ON COLUMN lab_results.test_system IS
    'The code system or laboratory catalogue test_code belongs to, e.g. urn:lims:cardiff.';
COMMENT ON COLUMN lab_results.test_name_en IS
    'The test''s name in English, e.g. "Glucose".';
COMMENT ON COLUMN lab_results.test_name_cy IS
    'The test''s name in Welsh, e.g. "Glwcos"; the English name where the producer sent no Welsh (see cy_fallback).';
COMMENT ON COLUMN lab_results.cy_fallback IS
    'True when test_name_cy holds the English name because the producer sent no Welsh name.';
COMMENT ON COLUMN lab_results.value_numeric IS
    'The value as an exact decimal when it is a number (5.4); null for text values ("Positive", "<0.5", "see report"). '
    'Use it for trends and thresholds.';
COMMENT ON COLUMN lab_results.value_text IS
    'The value as sent and as shown, without the unit: the producer''s text, or the number''s shortest form.';
COMMENT ON COLUMN lab_results.unit IS
    'The unit of the value (mmol/L, %, x10^9/L) as sent; null when the value has none. For schemaVersion 1 '
    'results it is split off the value ("5.4 mmol/L").';
COMMENT ON COLUMN lab_results.range_low IS
    'Lower bound of the reference range, in the result''s unit; null when not sent.';
COMMENT ON COLUMN lab_results.range_high IS
    'Upper bound of the reference range, in the result''s unit; null when not sent.';
COMMENT ON COLUMN lab_results.range_text IS
    'The reference range as the laboratory words it ("<5.0", "negative"); null when not sent.';
COMMENT ON COLUMN lab_results.interpretation IS
    'How the laboratory reads the value against the range: normal, low, high, abnormal, critical; unknown for '
    'schemaVersion 1 results, which carried no interpretation.';
COMMENT ON COLUMN lab_results.abnormal IS
    'True when interpretation is low, high, abnormal or critical; false when normal; null when unknown.';
COMMENT ON COLUMN lab_results.status IS
    'preliminary or final as recorded; amended after a TestResultAmended; entered-in-error once withdrawn. '
    'A later recording of the same result sets preliminary or final again (see entered_in_error_at).';
COMMENT ON COLUMN lab_results.collected_at IS
    'When the sample was collected. resulted_at - collected_at is the laboratory turnaround.';
COMMENT ON COLUMN lab_results.resulted_at IS
    'When the result was produced (of its latest recording); the patient''s results are listed newest first by it.';
COMMENT ON COLUMN lab_results.amended_at IS
    'When the latest amendment was made (amendedAt); null when never amended.';
COMMENT ON COLUMN lab_results.entered_in_error_at IS
    'When the result was marked entered in error (metadata.occurredAt of that event); null when it never was, or '
    'when that event carried no occurredAt. Stays set if the result is recorded again.';
COMMENT ON COLUMN lab_results.amendment_count IS
    'How many TestResultAmended events changed this result; a second recording of the result keeps it.';
COMMENT ON COLUMN lab_results.performer_ods IS
    'ODS code of the laboratory that produced the result.';
COMMENT ON COLUMN lab_results.performer_name IS
    'Name of the laboratory that produced the result, as sent (not translated).';
COMMENT ON COLUMN lab_results.report_location IS
    'The URI where the full report is held: what the app''s "show more" follows.';
COMMENT ON COLUMN lab_results.source_schema_version IS
    'metadata.schemaVersion of the latest recording: 1 for older producers (value upcast, no range or '
    'interpretation), 2 for the current form.';
COMMENT ON COLUMN lab_results.source_system IS
    'metadata.sourceSystem of the latest recording (an ODS code or system name); null when not sent.';
COMMENT ON COLUMN lab_results.visible_to_patient IS
    'False once the result is entered in error, and then for good, even if it is recorded again; such rows stay '
    'for audit. Patient-facing queries filter on it, and lab_results_patient_newest covers only visible rows.';
COMMENT ON COLUMN lab_results.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage).';

COMMENT ON TABLE orders IS
    'One row per laboratory test order (TestOrdered): the test, who ordered it and when. '
    'Join lab_results on order_id for its results; an order without results is still pending.';

COMMENT ON COLUMN orders.order_id IS
    'Primary key: the producer''s orderId (stream laborder-<orderId>).';
COMMENT ON COLUMN orders.nhs_number IS
    'The patient''s NHS number: 10 digits, no spaces, Modulus 11 checked. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN orders.ordered_at IS
    'When the test was ordered. The first result''s resulted_at - ordered_at is the order''s turnaround.';
COMMENT ON COLUMN orders.test_code IS
    'The ordered test''s code in test_system.';
COMMENT ON COLUMN orders.test_system IS
    'The code system or laboratory catalogue test_code belongs to.';
COMMENT ON COLUMN orders.test_name_en IS
    'The ordered test''s name in English.';
COMMENT ON COLUMN orders.test_name_cy IS
    'The ordered test''s name in Welsh; the English name where the producer sent no Welsh (see cy_fallback).';
COMMENT ON COLUMN orders.cy_fallback IS
    'True when test_name_cy holds the English name because the producer sent no Welsh name.';
COMMENT ON COLUMN orders.ordered_by_ods IS
    'ODS code of the practice, organisation or clinician that ordered the test.';
COMMENT ON COLUMN orders.ordered_by_name IS
    'Name of who ordered the test, as sent (not translated).';
COMMENT ON COLUMN orders.source_system IS
    'metadata.sourceSystem of the TestOrdered event (an ODS code or system name); null when not sent.';
COMMENT ON COLUMN orders.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage).';

COMMENT ON TABLE result_history IS
    'Every version of every result: one row per TestResultRecorded, TestResultAmended and '
    'TestResultEnteredInError event, never updated. Order a result''s rows by global_position.';

COMMENT ON COLUMN result_history.result_id IS
    'The result (lab_results.result_id); with global_position, the primary key.';
COMMENT ON COLUMN result_history.global_position IS
    'global_position in eventlog.events of the event this version comes from; orders a result''s versions.';
COMMENT ON COLUMN result_history.nhs_number IS
    'The patient''s NHS number as the event gave it. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN result_history.change IS
    'What the event did: recorded (a recording, including a repeated one such as preliminary then final), '
    'amended, or entered-in-error.';
COMMENT ON COLUMN result_history.changed_at IS
    'When the change happened in the world: resultedAt for recorded, amendedAt for amended, metadata.occurredAt '
    'for entered-in-error (null when that event carried none).';
COMMENT ON COLUMN result_history.status IS
    'The result''s status after this change: preliminary or final (recorded), amended, entered-in-error.';
COMMENT ON COLUMN result_history.value_numeric IS
    'The value of this version as an exact decimal, when numeric; null for text values and for entered-in-error '
    'rows, which carry no value (the previous version holds it).';
COMMENT ON COLUMN result_history.value_text IS
    'The value of this version as sent, without the unit; null for entered-in-error rows.';
COMMENT ON COLUMN result_history.unit IS
    'The unit of this version''s value; null when none, and for entered-in-error rows.';
COMMENT ON COLUMN result_history.range_low IS
    'Lower bound of this version''s reference range; null when not sent.';
COMMENT ON COLUMN result_history.range_high IS
    'Upper bound of this version''s reference range; null when not sent.';
COMMENT ON COLUMN result_history.range_text IS
    'This version''s reference range as worded by the laboratory; null when not sent.';
COMMENT ON COLUMN result_history.interpretation IS
    'This version''s interpretation (normal, low, high, abnormal, critical, unknown); null for entered-in-error rows.';
COMMENT ON COLUMN result_history.abnormal IS
    'True when this version''s interpretation is low, high, abnormal or critical; false when normal; null when '
    'unknown, and for entered-in-error rows.';
COMMENT ON COLUMN result_history.reason IS
    'Why the result was amended or entered in error, as free text written by clinicians: it may name people or '
    'conditions, so treat it as patient data. Null for recorded rows.';
COMMENT ON COLUMN result_history.last_position IS
    'global_position in eventlog.events of the event that wrote this row (lineage); equals global_position, '
    'since history rows are never changed.';
