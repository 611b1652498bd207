-- Result turnaround by test and month: how long from collection (and from order) to result.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/result_turnaround_by_test_month.sql
-- Results entered in error are left out; hours are rounded to one decimal.
SELECT date_trunc('month', resulted_at)::date AS month,
       test_code,
       test_name_en,
       count(*) AS results,
       round((percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM resulted_at - collected_at)) / 3600)::numeric, 1) AS median_hours_from_collection,
       round((percentile_cont(0.9) WITHIN GROUP (
           ORDER BY extract(epoch FROM resulted_at - collected_at)) / 3600)::numeric, 1) AS p90_hours_from_collection,
       round((percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM resulted_at - ordered_at)) / 3600)::numeric, 1) AS median_hours_from_order
FROM reporting.lab_results
WHERE status <> 'entered-in-error'
  AND resulted_at IS NOT NULL AND collected_at IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 1, 2;
