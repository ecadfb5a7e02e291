-- Core: tickets with their append-only history, the intake journal, the outbox,
-- conversation persistence and idempotency keys.

CREATE TABLE ticket_counters (
    year     INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,
    year             INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    citizen_user_id  INTEGER,
    citizen_chat_id  INTEGER,
    name             TEXT    NOT NULL,
    contact          TEXT    NOT NULL,
    channel          TEXT    NOT NULL CHECK (channel IN
                         ('telegram', 'tatap_muka', 'telepon', 'email', 'kotak_pengaduan')),
    matter_kind      TEXT,
    package_code     TEXT,
    description      TEXT    NOT NULL,
    tier             TEXT    NOT NULL CHECK (tier IN
                         ('ringan', 'normatif', 'tidak-berkadar', 'berkadar')),
    tier_reason      TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'baru' CHECK (status IN
                         ('baru', 'diproses', 'dijawab', 'selesai')),
    confidential     INTEGER NOT NULL DEFAULT 0,
    received_at      TEXT    NOT NULL,
    deadline_at      TEXT    NOT NULL,
    first_answer_at  TEXT,
    closed_at        TEXT,
    target_at        TEXT,
    pin_hash         TEXT,
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment   TEXT,
    rated_at         TEXT,
    idempotency_key  TEXT UNIQUE,
    UNIQUE (year, seq)
);
CREATE INDEX tickets_open_by_deadline ON tickets (deadline_at) WHERE status <> 'selesai';
CREATE INDEX tickets_by_citizen ON tickets (citizen_user_id, received_at);
CREATE INDEX tickets_by_received ON tickets (received_at);
CREATE INDEX tickets_by_package ON tickets (package_code) WHERE package_code IS NOT NULL;

-- Append-only: rows are never deleted; only personal-data erasure rewrites `data`.
CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL CHECK (actor_kind IN ('citizen', 'staff', 'system')),
    actor_id    INTEGER,
    actor_name  TEXT,
    data        TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);
CREATE TRIGGER ticket_events_append_only BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only');
END;

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    event_id        INTEGER NOT NULL REFERENCES ticket_events (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id         TEXT    NOT NULL,
    file_unique_id  TEXT,
    file_name       TEXT,
    mime_type       TEXT,
    file_size       INTEGER
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id);

-- Which bot message (in which chat) is about which ticket: replies to it land on the ticket.
CREATE TABLE message_links (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;

CREATE TABLE applied_operations (
    key     TEXT PRIMARY KEY,
    result  TEXT NOT NULL,
    at      TEXT NOT NULL
) WITHOUT ROWID;

-- Intake journal: every update is stored here before Telegram is told it was received.
CREATE TABLE update_journal (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    done_at      TEXT
);
CREATE INDEX update_journal_pending ON update_journal (update_id) WHERE done_at IS NULL;

-- Outbox: messages the bot owes people, written with the change that caused them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    ticket_id        INTEGER REFERENCES tickets (id),
    purpose          TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    parts_sent       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL,
    next_attempt_at  TEXT    NOT NULL,
    sent_at          TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';

-- PTB persistence (conversation states, user/chat/bot data), JSON only.
CREATE TABLE persistence (
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- Small runtime facts, e.g. the staff chat id adopted after a supergroup migration.
CREATE TABLE runtime_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
