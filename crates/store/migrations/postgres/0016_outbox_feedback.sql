-- Notices about feedback reports go through the same outbox as those about dossiers: a
-- message belongs to a dossier or to a report.
ALTER TABLE outbox ALTER COLUMN dossier_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN feedback_id UUID REFERENCES feedback_reports (id);
ALTER TABLE outbox ADD CONSTRAINT outbox_owner CHECK ((dossier_id IS NULL) <> (feedback_id IS NULL));
