-- The notice worker's claim finds its due messages by this index, as the integration worker
-- does by `outbox_integration_due`: without it, the claim walked every pending integration
-- message of `outbox_due` (a backlog under heavy intake) and compared each one's kind.
CREATE INDEX outbox_notices_due ON outbox (next_attempt_at)
    WHERE status = 'pending' AND kind NOT LIKE 'integration.%';
