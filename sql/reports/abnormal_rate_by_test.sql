-- Abnormal-result rate by test: the share of results interpreted low, high, abnormal or critical.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/abnormal_rate_by_test.sql
-- Results entered in error, and results without an interpretation (older producers), are left out.
SELECT test_code,
       test_name_en,
       count(*) AS results,
       count(*) FILTER (WHERE abnormal) AS abnormal_results,
       round(100.0 * count(*) FILTER (WHERE abnormal) / count(*), 1) AS abnormal_percent,
       count(*) FILTER (WHERE interpretation = 'critical') AS critical_results
FROM reporting.lab_results
WHERE status <> 'entered-in-error'
  AND abnormal IS NOT NULL
GROUP BY test_code, test_name_en
ORDER BY abnormal_percent DESC, test_code;
