-- Deadline watch, morning digest, PIN linking of offline complaints, monthly report support.
-- Depends only on 0001 (tickets).

-- One staff alert per ticket, threshold and deadline. The deadline is part of the key so a
-- ticket reclassified to a later deadline is watched afresh (its old rows stay as history);
-- a reopened ticket keeps its deadline, so alerts already sent for it are not repeated.
-- A row is written in the same transaction as the outbox message it stands for.
CREATE TABLE deadline_alerts (
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    threshold    TEXT    NOT NULL CHECK (threshold IN ('reminder', 'overdue')),
    deadline_at  TEXT    NOT NULL,
    sent_at      TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, threshold, deadline_at)
) WITHOUT ROWID;

-- Morning digest to the staff chat: at most one per local (WITA) date.
CREATE TABLE digests_sent (
    day      TEXT PRIMARY KEY,  -- YYYY-MM-DD in the calendar's zone
    sent_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Failed attempts to link an offline complaint by code + PIN. Kept so a restart does not
-- reset the limit; rows older than the window are pruned on the next attempt.
-- ticket_id is NULL when the code named no ticket (that still counts against the user).
CREATE TABLE pin_failures (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    ticket_id  INTEGER REFERENCES tickets (id),
    at         TEXT    NOT NULL
);
CREATE INDEX pin_failures_by_user ON pin_failures (user_id, at);
CREATE INDEX pin_failures_by_ticket ON pin_failures (ticket_id, at) WHERE ticket_id IS NOT NULL;
CREATE INDEX pin_failures_by_time ON pin_failures (at);

-- Monthly report: "open at the end of a past month" needs tickets closed after that moment.
CREATE INDEX tickets_by_closed ON tickets (closed_at) WHERE closed_at IS NOT NULL;
