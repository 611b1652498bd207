-- Consent grants and withdrawals by month and purpose.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/consent_changes_by_month.sql
SELECT date_trunc('month', changed_at)::date AS month,
       count(*) FILTER (WHERE change = 'granted') AS grants,
       count(*) FILTER (WHERE change = 'withdrawn') AS withdrawals,
       count(DISTINCT patient_pseudonym) AS patients
FROM reporting.consent_changes
GROUP BY 1
ORDER BY 1;
