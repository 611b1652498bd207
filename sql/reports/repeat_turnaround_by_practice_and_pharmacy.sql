-- Repeat prescriptions: how long from request to dispensing, by the practice that approved them and by the
-- pharmacy that dispensed them (one row per practice, then one per pharmacy; the other column is NULL).
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/repeat_turnaround_by_practice_and_pharmacy.sql
-- Only requests dispensed; hours are rounded to one decimal.
SELECT approved_by_ods AS practice_ods,
       dispenser_ods AS pharmacy_ods,
       count(*) AS dispensed,
       round((percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM dispensed_at - requested_at)) / 3600)::numeric, 1) AS median_hours_to_dispense,
       round((percentile_cont(0.9) WITHIN GROUP (
           ORDER BY extract(epoch FROM dispensed_at - requested_at)) / 3600)::numeric, 1) AS p90_hours_to_dispense,
       round((percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM approved_at - requested_at)) / 3600)::numeric, 1) AS median_hours_to_approve
FROM reporting.repeat_requests
WHERE dispensed_at IS NOT NULL
GROUP BY GROUPING SETS ((approved_by_ods), (dispenser_ods))
ORDER BY practice_ods NULLS LAST, pharmacy_ods;
