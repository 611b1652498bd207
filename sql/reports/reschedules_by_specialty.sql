-- Reschedules per specialty: how often appointments move, and the share that moved at least once.
-- Run as an analyst: psql "$DATABASE_URL" -f sql/reports/reschedules_by_specialty.sql
SELECT specialty,
       count(*) AS appointments,
       sum(reschedule_count) AS reschedules,
       round(avg(reschedule_count), 2) AS reschedules_per_appointment,
       round(100.0 * count(*) FILTER (WHERE reschedule_count > 0) / count(*), 1) AS rescheduled_percent
FROM reporting.appointments
GROUP BY specialty
ORDER BY reschedules DESC, specialty;
