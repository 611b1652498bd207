-- Pseudonymised lab results for analysts. Run by the projector after it installs the results read model.
DROP VIEW IF EXISTS reporting.lab_results;
CREATE VIEW reporting.lab_results AS
SELECT reporting.pseudonym(coalesce(m_r.retained_nhs_number, r.nhs_number), k.key) AS patient_pseudonym,
       r.test_code, r.test_system, r.test_name_en, r.test_name_cy,
       r.value_numeric, r.unit, r.range_low, r.range_high, r.interpretation, r.abnormal, r.status,
       o.ordered_at, r.collected_at, r.resulted_at, r.amended_at, r.amendment_count,
       r.performer_ods, r.performer_name, r.source_schema_version
FROM results.lab_results r
LEFT JOIN results.orders o ON o.order_id = r.order_id
LEFT JOIN results.merged_numbers m_r ON m_r.nhs_number = r.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.lab_results IS
    'One row per lab result (results.lab_results), pseudonymised: no NHS number, ids, value text or reasons. '
    'Includes results entered in error (status = ''entered-in-error''); exclude them for clinical rates.';
COMMENT ON COLUMN reporting.lab_results.patient_pseudonym IS
    'HMAC-SHA-256 of the NHS number under this deployment''s secret key, hex: stable across reports and rebuilds, '
    'not reversible without the key.';
COMMENT ON COLUMN reporting.lab_results.test_code IS 'The test''s code in test_system (e.g. a LOINC or local code).';
COMMENT ON COLUMN reporting.lab_results.test_system IS 'The code system of test_code.';
COMMENT ON COLUMN reporting.lab_results.test_name_en IS 'The test''s name in English.';
COMMENT ON COLUMN reporting.lab_results.test_name_cy IS 'The test''s name in Welsh (English when the producer sent none).';
COMMENT ON COLUMN reporting.lab_results.value_numeric IS 'The numeric value; NULL when the value is not a number.';
COMMENT ON COLUMN reporting.lab_results.unit IS 'The unit of value_numeric (e.g. mmol/L).';
COMMENT ON COLUMN reporting.lab_results.range_low IS 'Lower bound of the reference range, if any.';
COMMENT ON COLUMN reporting.lab_results.range_high IS 'Upper bound of the reference range, if any.';
COMMENT ON COLUMN reporting.lab_results.interpretation IS 'normal, low, high, abnormal, critical, or unknown (older producers).';
COMMENT ON COLUMN reporting.lab_results.abnormal IS 'True for low, high, abnormal and critical; NULL when unknown.';
COMMENT ON COLUMN reporting.lab_results.status IS 'preliminary, final, amended or entered-in-error.';
COMMENT ON COLUMN reporting.lab_results.ordered_at IS 'When the test was ordered; NULL when the order is unknown to the read model.';
COMMENT ON COLUMN reporting.lab_results.collected_at IS 'When the specimen was collected.';
COMMENT ON COLUMN reporting.lab_results.resulted_at IS 'When the result was produced (turnaround ends here).';
COMMENT ON COLUMN reporting.lab_results.amended_at IS 'When the result was last amended; NULL if never.';
COMMENT ON COLUMN reporting.lab_results.amendment_count IS 'How many times the result was amended.';
COMMENT ON COLUMN reporting.lab_results.performer_ods IS 'ODS code of the performing laboratory.';
COMMENT ON COLUMN reporting.lab_results.performer_name IS 'Name of the performing laboratory.';
COMMENT ON COLUMN reporting.lab_results.source_schema_version IS 'schemaVersion of the recording event (1 = upcast from an older producer).';
GRANT SELECT ON reporting.lab_results TO projector_analyst;
