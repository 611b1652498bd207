-- Repeat prescription requests by month: how many were decided, and what share was rejected.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/repeat_rejection_rate_by_month.sql
-- A request counts in the month it was made, once decided (approved, issued or rejected).
SELECT date_trunc('month', requested_at)::date AS month,
       count(*) FILTER (WHERE state <> 'requested') AS decided,
       count(*) FILTER (WHERE state = 'rejected') AS rejected,
       round(100.0 * count(*) FILTER (WHERE state = 'rejected')
             / nullif(count(*) FILTER (WHERE state <> 'requested'), 0), 1) AS rejected_percent
FROM reporting.repeat_requests
GROUP BY 1
ORDER BY 1;
