-- National portal sync: its records are deliveries of a built-in subscription (made by the
-- worker when an endpoint is configured); a dossier's sync log is its deliveries, by code.
CREATE INDEX webhook_deliveries_subject ON webhook_deliveries (subject, created_at);
