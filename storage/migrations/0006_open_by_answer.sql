-- /daftar lists overdue (unanswered, past the deadline) tickets first: these two partial
-- indexes let it count and page through open tickets by deadline without touching closed ones
-- or reading table rows to tell answered from unanswered.
CREATE INDEX tickets_open_unanswered ON tickets (deadline_at)
    WHERE status <> 'selesai' AND first_answer_at IS NULL;
CREATE INDEX tickets_open_answered ON tickets (deadline_at)
    WHERE status <> 'selesai' AND first_answer_at IS NOT NULL;
