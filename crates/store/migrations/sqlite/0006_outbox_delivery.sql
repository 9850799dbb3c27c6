-- Delivery of the outbox of notices: each message's status (pending, sent, failed after its
-- last attempt, skipped because its channel is not configured), when it was given up, and the
-- lease of the worker sending it (no other worker claims it before the lease ends).
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
ALTER TABLE outbox ADD COLUMN leased_until TEXT;
UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_listing ON outbox (status, created_at);
