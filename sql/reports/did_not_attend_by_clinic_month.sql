-- Did-not-attend rate by clinic and month: missed appointments among those that took place or were missed.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/did_not_attend_by_clinic_month.sql
-- Booked, rescheduled (not yet due) and cancelled appointments are left out.
SELECT date_trunc('month', starts_at)::date AS month,
       clinic_code,
       clinic_name_en,
       count(*) AS appointments_due,
       count(*) FILTER (WHERE state = 'missed') AS did_not_attend,
       round(100.0 * count(*) FILTER (WHERE state = 'missed') / count(*), 1) AS did_not_attend_percent
FROM reporting.appointments
WHERE state IN ('attended', 'missed')
GROUP BY 1, 2, 3
ORDER BY 1, 2;
