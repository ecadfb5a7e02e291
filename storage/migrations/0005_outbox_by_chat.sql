-- The outbox sender reads one chat's due rows at a time.
CREATE INDEX outbox_due_by_chat ON outbox (chat_id, id) WHERE status = 'pending';
