-- Partners who lodge for citizens (issue 21): a post office's "my lodged dossiers" finds its
-- first events by this index.
CREATE INDEX dossier_events_partner_lodged ON dossier_events (actor_id, at)
    WHERE kind = 'submitted' AND actor_role = 'partner';
