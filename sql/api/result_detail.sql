-- "Show more" on a result: the whole result, its order and every version of it (the patient API).
--
-- $1 nhs_number text    the patient asking, by any of their numbers; a result of another patient is not found
-- $2 result_id text     detail_id of the timeline entry
--
-- One row, or none when the result is unknown, another patient's, or entered in error.
-- Served by the primary keys of lab_results, orders and result_history, and merged_numbers' for the patient.
SELECT r.result_id, r.status, r.test_code, r.test_system, r.test_name_en, r.test_name_cy, r.cy_fallback,
       r.value_numeric, r.value_text, r.unit, r.range_low, r.range_high, r.range_text,
       r.interpretation, r.abnormal, r.collected_at, r.resulted_at, r.amended_at, r.amendment_count,
       r.performer_ods, r.performer_name, r.report_location,
       o.order_id, o.ordered_at, o.ordered_by_ods, o.ordered_by_name,
       (SELECT jsonb_agg(jsonb_build_object(
                   'change', h.change, 'changedAt', h.changed_at, 'status', h.status,
                   'valueText', h.value_text, 'unit', h.unit, 'interpretation', h.interpretation,
                   'reason', h.reason)
               ORDER BY h.global_position)
        FROM results.result_history h
        WHERE h.result_id = r.result_id) AS versions
FROM results.lab_results r
LEFT JOIN results.orders o ON o.order_id = r.order_id
WHERE r.result_id = $2
  AND r.nhs_number = ANY (results.patient_numbers($1))
  AND r.visible_to_patient;
