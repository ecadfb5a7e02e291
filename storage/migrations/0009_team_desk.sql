-- Issue #13, the staff side: who owns a ticket, which message is its card in the staff group,
-- and staff replies to a card held until an officer chooses «Kirim» or «Catatan».

-- Ownership (/ambil): the officer's Telegram id and name as shown on the card.
ALTER TABLE tickets ADD COLUMN owner_id INTEGER;
ALTER TABLE tickets ADD COLUMN owner_name TEXT;

-- The ticket card in the staff group (the outbox records it when the card is sent), so every
-- later change can edit it in place.
ALTER TABLE tickets ADD COLUMN card_chat_id INTEGER;
ALTER TABLE tickets ADD COLUMN card_message_id INTEGER;

-- Cards sent by earlier releases: the first message linked to the ticket in a group chat
-- (group ids are negative; the citizen's private chat is positive) was its card.
UPDATE tickets SET
    card_chat_id = (SELECT m.chat_id FROM message_links AS m
                    WHERE m.ticket_id = tickets.id AND m.chat_id < 0
                    ORDER BY m.message_id LIMIT 1),
    card_message_id = (SELECT m.message_id FROM message_links AS m
                       WHERE m.ticket_id = tickets.id AND m.chat_id < 0
                       ORDER BY m.message_id LIMIT 1);

-- /daftar saya: an officer's open tickets.
CREATE INDEX tickets_open_by_owner ON tickets (owner_id, deadline_at)
    WHERE status <> 'selesai' AND owner_id IS NOT NULL;

-- A plain reply to a ticket message in the staff group waits here until someone presses
-- «📤 Kirim ke pelapor» or «📝 Simpan sebagai catatan» (resolution 'kirim' / 'catatan').
-- Kept in SQLite, so a restart between the reply and the press loses nothing; an edit of the
-- officer's message before the press changes `text`.
CREATE TABLE held_replies (
    id                 INTEGER PRIMARY KEY,
    ticket_id          INTEGER NOT NULL REFERENCES tickets (id),
    chat_id            INTEGER NOT NULL,
    source_message_id  INTEGER NOT NULL,
    prompt_message_id  INTEGER,
    author_id          INTEGER,
    author_name        TEXT,
    text               TEXT    NOT NULL DEFAULT '',
    attachments        TEXT    NOT NULL DEFAULT '[]',
    created_at         TEXT    NOT NULL,
    resolution         TEXT CHECK (resolution IN ('kirim', 'catatan')),
    resolved_at        TEXT,
    resolved_by_id     INTEGER,
    resolved_by_name   TEXT,
    UNIQUE (chat_id, source_message_id)
);
